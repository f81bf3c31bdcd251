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
    /** Tick as soon as a transaction leaves work in the outbox (PostgreSQL LISTEN), not only on the cron. */
    readonly wakeOnNotify: boolean;
  };
  readonly acquirer: {
    readonly url: string;
    readonly timeoutMs: number;
  };
  readonly notices: {
    /** Twilio; absent: no SMS, notices go by e-mail only. */
    readonly sms: { accountSid: string; authToken: string; from: string; apiBaseUrl?: string } | undefined;
    /** SMTP; absent: no e-mail, notices go by SMS only. */
    readonly email: { url: string; from: string } | undefined;
    /** `any`: delivery receipt, opened e-mail, followed link or button; `explicit`: only the SMS receipt and the button. */
    readonly ackEvidence: 'any' | 'explicit';
    /** `fallback`: one channel, the other when it fails; `all`: every channel the patient has, at once. */
    readonly strategy: 'fallback' | 'all';
  };
  readonly webhooks: {
    readonly timeoutMs: number;
    /** Deliveries are retried with exponential backoff for this long. */
    readonly retryWindowMs: number;
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
      wakeOnNotify: read.boolean('DIAPASON_WAKE_ON_NOTIFY', true),
    },
    notices: {
      sms: (() => {
        const accountSid = read.optional('TWILIO_ACCOUNT_SID');
        const authToken = read.optional('TWILIO_AUTH_TOKEN');
        const from = read.optional('TWILIO_FROM');
        const apiBaseUrl = read.url('TWILIO_API_BASE_URL', undefined, ['http', 'https']);
        if (!accountSid && !authToken && !from) return undefined;
        if (!accountSid || !authToken || !from) {
          read.problems.push(new InvalidSetting('TWILIO_ACCOUNT_SID', 'TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN et TWILIO_FROM vont ensemble.'));
          return undefined;
        }
        return { accountSid, authToken, from, apiBaseUrl };
      })(),
      email: (() => {
        const url = read.url('SMTP_URL', undefined, ['smtp', 'smtps']);
        if (!url) return undefined;
        return { url, from: read.string('MAIL_FROM', 'DIAPASON <ne-pas-repondre@diapason.invalid>') };
      })(),
      ackEvidence: read.oneOf('DIAPASON_ACK_EVIDENCE', ['any', 'explicit'], 'any'),
      strategy: read.oneOf('DIAPASON_NOTICE_STRATEGY', ['fallback', 'all'], 'fallback'),
    },
    webhooks: {
      timeoutMs: read.durationMs('DIAPASON_WEBHOOK_TIMEOUT', '10s'),
      retryWindowMs: read.durationMs('DIAPASON_WEBHOOK_RETRY_WINDOW', '24h'),
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
