import { realpathSync } from 'node:fs';
import { resolve } from 'node:path';
import { Client } from 'pg';
import { busyPorts, type DiapasonConfig } from '@diapason/config';
import { EmbeddedPostgresError, runningPostmaster, startEmbeddedPostgres } from './embedded-postgres';

export interface ResolvedDatabase {
  url: string;
  /** Where the URL came from, for the start-up banner. */
  origin: 'DATABASE_URL' | 'embedded (already running)' | 'embedded (started)';
  /** PIDs of the postmaster and its guard when this process started the embedded server. */
  pids?: { postmaster: number; guard: number };
  /** Stops the embedded server if this process started it. */
  release(): Promise<void>;
}

export const EMBEDDED_CREDENTIALS = { user: 'diapason', password: 'diapason', database: 'diapason' };

export function embeddedUrl(port: number, database = EMBEDDED_CREDENTIALS.database): string {
  return `postgres://${EMBEDDED_CREDENTIALS.user}:${EMBEDDED_CREDENTIALS.password}@127.0.0.1:${port}/${database}`;
}

function realPath(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return resolve(path);
  }
}

/**
 * What answers on the embedded port with our credentials: the data directory it serves, or
 * `undefined` when nothing does (or not to us). A role that may not read `data_directory` is not
 * the superuser `initdb` made for us: somebody else's server.
 */
/** A server on the port that will not tell us its data directory. */
const NOT_OURS = Symbol('not ours');

async function servedDataDirectory(port: number): Promise<string | typeof NOT_OURS | undefined> {
  const client = new Client({ connectionString: embeddedUrl(port, 'postgres'), connectionTimeoutMillis: 1000 });
  client.on('error', () => undefined);
  try {
    await client.connect();
  } catch {
    await client.end().catch(() => undefined);
    return undefined;
  }
  try {
    const rows = (await client.query<{ data_directory: string }>('SHOW data_directory')).rows;
    return rows[0]?.data_directory ?? NOT_OURS;
  } catch {
    return NOT_OURS;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/**
 * DATABASE_URL when given; otherwise the embedded PostgreSQL of this data directory: the one
 * `npm start` runs, reused only when it serves this very directory, or one started for the time of
 * this process. A server of another checkout or another program on the port is never adopted: the
 * start fails with a French message naming the port and DIAPASON_EMBEDDED_PG_PORT.
 */
export async function resolveDatabase(config: DiapasonConfig, onLog: (line: string) => void = () => undefined): Promise<ResolvedDatabase> {
  if (config.database.url) {
    return { url: config.database.url, origin: 'DATABASE_URL', release: async () => undefined };
  }
  const port = config.database.embeddedPort;
  const databaseDir = resolve(config.dataDir, 'pg');
  const url = embeddedUrl(port);
  const served = await servedDataDirectory(port);
  if (served !== undefined) {
    if (served !== NOT_OURS && realPath(served) === realPath(databaseDir)) {
      return { url, origin: 'embedded (already running)', release: async () => undefined };
    }
    throw new EmbeddedPostgresError(
      `Le port ${port} est occupé par un autre serveur PostgreSQL` +
        (served === NOT_OURS ? '' : ` (ses données : ${served})`) +
        `, pas par celui de ce dossier (${databaseDir}). Choisissez un autre port avec DIAPASON_EMBEDDED_PG_PORT=… ` +
        `(ou arrêtez l’autre serveur), ou donnez l’URL d’une base avec DATABASE_URL.`,
    );
  }
  if ((await busyPorts([{ port, host: '127.0.0.1', variable: 'DIAPASON_EMBEDDED_PG_PORT', what: 'PostgreSQL embarqué' }])).length > 0) {
    throw new EmbeddedPostgresError(
      `Le port ${port} du PostgreSQL embarqué est déjà utilisé par un autre programme : arrêtez-le, ` +
        `ou choisissez un autre port avec DIAPASON_EMBEDDED_PG_PORT=…`,
    );
  }
  const other = runningPostmaster(databaseDir);
  if (other) {
    throw new EmbeddedPostgresError(
      `Les données ${databaseDir} sont déjà servies par un autre PostgreSQL (PID ${other.pid}, port ${other.port}) : ` +
        `arrêtez-le, ou lancez avec DIAPASON_EMBEDDED_PG_PORT=${other.port} pour vous y connecter.`,
    );
  }
  const server = await startEmbeddedPostgres({
    dataDir: databaseDir,
    port,
    database: EMBEDDED_CREDENTIALS.database,
    onLog,
  });
  return {
    url: server.url,
    origin: 'embedded (started)',
    pids: { postmaster: server.pid, guard: server.guardPid },
    release: () => server.stop(),
  };
}
