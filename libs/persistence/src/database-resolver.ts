import { resolve } from 'node:path';
import { Client } from 'pg';
import type { DiapasonConfig } from '@diapason/config';
import { startEmbeddedPostgres } from './embedded-postgres';

export interface ResolvedDatabase {
  url: string;
  /** Where the URL came from, for the start-up banner. */
  origin: 'DATABASE_URL' | 'embedded (already running)' | 'embedded (started)';
  /** Stops the embedded server if this process started it. */
  release(): Promise<void>;
}

export const EMBEDDED_CREDENTIALS = { user: 'diapason', password: 'diapason', database: 'diapason' };

export function embeddedUrl(port: number, database = EMBEDDED_CREDENTIALS.database): string {
  return `postgres://${EMBEDDED_CREDENTIALS.user}:${EMBEDDED_CREDENTIALS.password}@127.0.0.1:${port}/${database}`;
}

async function answers(url: string): Promise<boolean> {
  const client = new Client({ connectionString: url, connectionTimeoutMillis: 1000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/**
 * DATABASE_URL when given; otherwise the embedded PostgreSQL under the data directory, reusing the
 * one `npm start` runs, or starting it for the time of this process.
 */
export async function resolveDatabase(
  config: DiapasonConfig,
  onLog: (line: string) => void = () => undefined,
): Promise<ResolvedDatabase> {
  if (config.database.url) {
    return { url: config.database.url, origin: 'DATABASE_URL', release: async () => undefined };
  }
  const url = embeddedUrl(config.database.embeddedPort);
  if (await answers(url)) return { url, origin: 'embedded (already running)', release: async () => undefined };
  const server = await startEmbeddedPostgres({
    dataDir: resolve(config.dataDir, 'pg'),
    port: config.database.embeddedPort,
    database: EMBEDDED_CREDENTIALS.database,
    onLog,
  });
  return { url: server.url, origin: 'embedded (started)', release: () => server.stop() };
}
