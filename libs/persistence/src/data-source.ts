import { Client } from 'pg';
import { DataSource, DataSourceOptions } from 'typeorm';
import { MIGRATIONS } from '../../../migrations';
import { ENTITIES } from './entities';
import { SnakeNamingStrategy } from './naming-strategy';

export interface DatabaseOptions {
  url: string;
  poolSize?: number;
  applicationName?: string;
}

export function dataSourceOptions(options: DatabaseOptions): DataSourceOptions {
  return {
    type: 'postgres',
    url: options.url,
    entities: ENTITIES,
    migrations: MIGRATIONS,
    migrationsTableName: 'schema_migration',
    migrationsTransactionMode: 'each',
    namingStrategy: new SnakeNamingStrategy(),
    synchronize: false,
    migrationsRun: false,
    // Never on: TypeORM's logger prints each query with its parameters (patients' names, phones,
    // secrets). Failed queries reach the logs as errors, through the redacting serializer (libs/config).
    logging: false,
    extra: {
      max: options.poolSize ?? 10,
      application_name: options.applicationName ?? 'diapason',
      // A stuck statement must not hold a pool slot forever.
      statement_timeout: 30_000,
      idle_in_transaction_session_timeout: 60_000,
      // An unreachable database host (packets dropped, not refused) must not hang requests: after
      // 10 s without a connection (new or from the pool) the query fails, and the api answers 503.
      connectionTimeoutMillis: 10_000,
      keepAlive: true,
    },
  };
}

export function createDataSource(options: DatabaseOptions): DataSource {
  return new DataSource(dataSourceOptions(options));
}

/**
 * Applies pending migrations under an advisory lock, so that replicas starting together do not race.
 * The lock is held on a connection of its own: the pool may have a single slot, which the
 * migrations need.
 */
export async function runMigrations(dataSource: DataSource): Promise<string[]> {
  const url = (dataSource.options as { url?: string }).url;
  const lock = new Client({ connectionString: url, application_name: 'diapason-migrations' });
  await lock.connect();
  try {
    await lock.query(`SELECT pg_advisory_lock(hashtext('diapason:migrations'))`);
    const applied = await dataSource.runMigrations({ transaction: 'each' });
    return applied.map((m) => m.name);
  } finally {
    await lock.end().catch(() => undefined);
  }
}
