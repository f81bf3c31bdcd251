import { execFileSync } from 'node:child_process';
import { prepareTemplate, startTestServer } from './test-database';

export default async function globalSetup(): Promise<void> {
  // Suites that start real processes (api, worker, cli, simulators) run the compiled code.
  execFileSync(
    process.execPath,
    [
      require.resolve('@swc/cli/bin/swc.js'),
      'apps',
      'libs',
      'migrations',
      'simulators',
      'scripts',
      'bench',
      '-d',
      'dist',
      '--copy-files',
      '--quiet',
      '--ignore',
      '**/*.spec.ts',
    ],
    {
      cwd: `${__dirname}/../..`,
      stdio: 'inherit',
    },
  );
  const server = await startTestServer();
  await prepareTemplate(server.adminUrl);
  process.env.DIAPASON_TEST_ADMIN_URL = server.adminUrl;
  (globalThis as { __diapasonTestServer?: unknown }).__diapasonTestServer = server;
  process.stderr.write(`\n[e2e] PostgreSQL: ${server.origin}\n`);
}
