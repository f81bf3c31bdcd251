import { prepareTemplate, startTestServer } from './test-database';

export default async function globalSetup(): Promise<void> {
  const server = await startTestServer();
  await prepareTemplate(server.adminUrl);
  process.env.DIAPASON_TEST_ADMIN_URL = server.adminUrl;
  (globalThis as { __diapasonTestServer?: unknown }).__diapasonTestServer = server;
  process.stderr.write(`\n[e2e] PostgreSQL: ${server.origin}\n`);
}
