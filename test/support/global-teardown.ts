import type { TestServer } from './test-database';

export default async function globalTeardown(): Promise<void> {
  const server = (globalThis as { __diapasonTestServer?: TestServer }).__diapasonTestServer;
  await server?.stop();
}
