import { hostname } from 'node:os';
import { BusinessDelays } from '@diapason/domain';
import { Env, EnvReader, InvalidSetting, redactUrl } from './env-parsers';

export type RuntimeEnv = 'production' | 'development' | 'test';

export interface DiapasonConfig {
  readonly runtimeEnv: RuntimeEnv;
  readonly http: {
    readonly host: string;
    readonly port: number;
    /** Base of every link sent to patients; must be reachable from their phones. */
    readonly publicBaseUrl: string;
    readonly bodyLimitBytes: number;
  };
  readonly database: {
    /** Absent: `npm start` runs an embedded PostgreSQL under `dataDir`. */
    readonly url: string | undefined;
    readonly poolSize: number;
    readonly embeddedPort: number;
  };
  readonly dataDir: string;
  readonly logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  readonly delays: BusinessDelays;
  readonly scheduler: {
    readonly cron: string;
    readonly batchSize: number;
    /** How long a worker holds a debit it sent; past it, the janitor asks the acceptance server. */
    readonly completionLeaseMs: number;
    /** Debits sent at once by one worker. */
    readonly completionConcurrency: number;
  };
  readonly acquirer: {
    readonly url: string;
    readonly timeoutMs: number;
  };
  /** Secret used to sign patient links; generated per data directory when not given. */
  readonly tokenSecret: string | undefined;
  readonly terminals: {
    /** Whether this process runs imprints on terminals; unset: the worker does, the api does not. */
    readonly runner: boolean | undefined;
    /** Name of this machine for terminals attached to it (serial line); IP terminals go to any bridge. */
    readonly bridgeHost: string;
    /** How often pending imprints are looked for when no notification arrives. */
    readonly pollMs: number;
  };
}

export class ConfigError extends Error {
  constructor(readonly problems: readonly InvalidSetting[]) {
    super(
      ['Configuration invalide :', ...problems.map((p) => `  - ${p.variable} : ${p.message}`)].join('\n'),
    );
    this.name = 'ConfigError';
  }
}

/** Reads and checks the whole configuration; throws a ConfigError naming every wrong variable. */
export function loadConfig(env: Env = process.env): DiapasonConfig {
  const read = new EnvReader(env);
  const runtimeEnv = read.oneOf<RuntimeEnv>('NODE_ENV', ['production', 'development', 'test'], 'development');
  const port = read.port('PORT', 3000);
  const host = read.string('HOST', '0.0.0.0');
  const publicBaseUrl =
    read.url('DIAPASON_PUBLIC_URL', undefined, ['http', 'https']) ?? `http://localhost:${port}`;

  const config: DiapasonConfig = {
    runtimeEnv,
    http: {
      host,
      port,
      publicBaseUrl,
      bodyLimitBytes: read.integer('DIAPASON_BODY_LIMIT_BYTES', 64 * 1024, 1024, 10 * 1024 * 1024),
    },
    database: {
      url: read.url('DATABASE_URL', undefined, ['postgres', 'postgresql']),
      poolSize: read.integer('DATABASE_POOL_SIZE', 10, 1, 200),
      embeddedPort: read.port('DIAPASON_EMBEDDED_PG_PORT', 5433),
    },
    dataDir: read.string('DIAPASON_DATA_DIR', '.data'),
    logLevel: read.oneOf('LOG_LEVEL', ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], 'info'),
    delays: {
      completionDelayMs: read.durationMs('DIAPASON_COMPLETION_DELAY', '3d'),
      ackTimeoutMs: read.durationMs('DIAPASON_ACK_TIMEOUT', '15d'),
      imprintValidityMs: read.durationMs('DIAPASON_IMPRINT_VALIDITY', '30d'),
      deadlineAlertMarginMs: read.durationMs('DIAPASON_DEADLINE_ALERT_MARGIN', '5d'),
    },
    scheduler: {
      cron: read.cron('DIAPASON_SCHEDULER_CRON', '*/10 * * * * *'),
      batchSize: read.integer('DIAPASON_SCHEDULER_BATCH_SIZE', 200, 1, 10_000),
      completionLeaseMs: read.durationMs('DIAPASON_COMPLETION_LEASE', '2m'),
      completionConcurrency: read.integer('DIAPASON_COMPLETION_CONCURRENCY', 16, 1, 512),
    },
    acquirer: {
      url: read.url('ACQUIRER_URL', 'http://127.0.0.1:3102', ['http', 'https'])!,
      timeoutMs: read.durationMs('DIAPASON_ACQUIRER_TIMEOUT', '10s'),
    },
    tokenSecret: read.secret('DIAPASON_TOKEN_SECRET', undefined, 32),
    terminals: {
      runner: read.raw('DIAPASON_TERMINAL_RUNNER') === undefined ? undefined : read.boolean('DIAPASON_TERMINAL_RUNNER', false),
      bridgeHost: read.string('DIAPASON_BRIDGE_HOST', hostname()),
      pollMs: read.durationMs('DIAPASON_TERMINAL_POLL', '1s'),
    },
  };

  const { completionDelayMs, imprintValidityMs } = config.delays;
  if (completionDelayMs >= imprintValidityMs) {
    read.problems.push(
      new InvalidSetting(
        'DIAPASON_COMPLETION_DELAY',
        `le délai avant débit doit être plus court que la validité de l'empreinte (DIAPASON_IMPRINT_VALIDITY).`,
      ),
    );
  }
  if (read.problems.length > 0) throw new ConfigError(read.problems);
  return config;
}

export { redactUrl };
