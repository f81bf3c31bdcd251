import { hostname } from 'node:os';
import { BusinessDelays } from '@diapason/domain';
import { BadValue, Env, InvalidSetting, RetentionPeriod, redactUrl } from './env-parsers';
import { SETTINGS, SettingName, SettingValue } from './settings';
import type { TrustProxy } from './trust-proxy';

export type RuntimeEnv = 'production' | 'development' | 'test';

export interface DiapasonConfig {
  readonly runtimeEnv: RuntimeEnv;
  readonly http: {
    readonly host: string;
    readonly port: number;
    /** Base of every link sent to patients; must be reachable from their phones. */
    readonly publicBaseUrl: string;
    readonly bodyLimitBytes: number;
    /** Bank statements uploaded to POST /v1/statements: larger than any JSON body. */
    readonly statementLimitBytes: number;
    /** Express `trust proxy`: whose X-Forwarded-For gives the client's address. */
    readonly trustProxy: TrustProxy;
  };
  readonly apiKeys: {
    /** Unknown or revoked keys accepted from one address per window; past it, 429. */
    readonly invalidKeyLimit: number;
    readonly invalidKeyWindowMs: number;
  };
  readonly database: {
    /** Absent: `npm start` runs an embedded PostgreSQL under `dataDir`. */
    readonly url: string | undefined;
    readonly poolSize: number;
    readonly embeddedPort: number;
  };
  readonly dataDir: string;
  /** Folder of pg_dump / pg_restore for `diapason backup` and `restore`; unset: looked for. */
  readonly pgBinDir: string | undefined;
  /** How long api and worker may take to finish after SIGTERM before they exit by force. */
  readonly shutdownGraceMs: number;
  readonly logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  readonly delays: BusinessDelays;
  readonly scheduler: {
    readonly cron: string;
    readonly batchSize: number;
    /** How long a worker holds a debit it sent; past it, the janitor asks the acceptance server. */
    readonly completionLeaseMs: number;
    /** How long a worker holds an outbox item (a notice to send); renewed while it works on it. */
    readonly outboxLeaseMs: number;
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
    /**
     * Networks (normalised CIDR) webhooks may reach besides the public Internet, over http too;
     * loopback only when listed itself (tests, demo).
     */
    readonly allowedNetworks: readonly string[];
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
    /** How long a bridge holds a terminal for an imprint; renewed while the transaction runs. */
    readonly leaseMs: number;
    /** CIDR ranges (or addresses) terminals may be reached in; checked at declaration and at each connection. */
    readonly allowedNetworks: readonly string[];
    /** Globs of the serial devices terminals may be plugged into. */
    readonly serialDevices: readonly string[];
    /** A deployment check answers within this (15 s at most). */
    readonly checkTimeoutMs: number;
  };
  /** Prometheus metrics: the token scrapers present, and the worker's own HTTP listener (port 0: none). */
  readonly observability: {
    readonly metricsToken: string | undefined;
    readonly workerPort: number;
    readonly workerHost: string;
  };
  /** RGPD: personal data of a final dossier is erased this long after it closed, by a daily sweep. */
  readonly retention: {
    readonly patientData: RetentionPeriod;
    readonly cron: string;
  };
  /** `npm start` only: the simulators and their ports. */
  readonly simulators: {
    readonly enabled: boolean;
    readonly terminalPort: number;
    readonly acquirerPort: number;
    readonly smsPort: number;
    readonly smtpPort: number;
    readonly mailPort: number;
    readonly oidcPort: number;
  };
  /** The Régie console (/console): sessions and local accounts. */
  readonly console: {
    readonly idleTimeoutMs: number;
    readonly sessionMaxMs: number;
    /** Wrong passwords in a row before a local account is locked. */
    readonly lockoutThreshold: number;
    /** First lock; doubled at each further failure, 24 h at most. */
    readonly lockoutDelayMs: number;
  };
  /** Single sign-on of the console; absent: local accounts only. */
  readonly oidc:
    | {
        readonly issuer: string;
        readonly clientId: string;
        readonly clientSecret: string;
        readonly rolesClaim: string;
        readonly establishmentClaim: string;
        /** Establishment code of people whose claims do not say it. */
        readonly defaultEstablishment: string | undefined;
      }
    | undefined;
}

export class ConfigError extends Error {
  constructor(readonly problems: readonly InvalidSetting[]) {
    super(['Configuration invalide :', ...problems.map((p) => `  - ${p.variable} : ${p.message}`)].join('\n'));
    this.name = 'ConfigError';
  }
}

/** Reads variables through the table of `settings.ts`, collecting every problem before failing. */
export class SettingsReader {
  readonly problems: InvalidSetting[] = [];

  constructor(private readonly env: Env) {}

  /** The text of a variable; unset and blank are the same. */
  raw(name: SettingName): string | undefined {
    const value = this.env[name];
    return value === undefined || value.trim() === '' ? undefined : value.trim();
  }

  get<K extends SettingName>(name: K): SettingValue<K> {
    const spec = SETTINGS[name] as { default?: string; parse: (text: string) => unknown };
    const given = this.raw(name);
    const text = given ?? spec.default;
    if (text === undefined) return undefined as SettingValue<K>;
    try {
      return spec.parse(text) as SettingValue<K>;
    } catch (error) {
      if (!(error instanceof BadValue)) throw error;
      this.problems.push(new InvalidSetting(name, error.message));
      return (spec.default === undefined ? undefined : spec.parse(spec.default)) as SettingValue<K>;
    }
  }

  problem(name: SettingName, message: string): void {
    this.problems.push(new InvalidSetting(name, message));
  }
}

/** Which process reads the configuration: api and worker need more than the command line does. */
export type ProcessRole = 'api' | 'worker' | 'cli' | 'start';

export interface LoadConfigOptions {
  /**
   * api and worker: a database URL, the patient-link secret and one notification channel are
   * required, and named together with any other wrong variable (before Nest starts anything).
   */
  role?: ProcessRole;
}

/** Reads and checks the whole configuration; throws a ConfigError naming every wrong variable. */
export function loadConfig(env: Env = process.env, options: LoadConfigOptions = {}): DiapasonConfig {
  const read = new SettingsReader(env);
  const port = read.get('PORT');

  const config: DiapasonConfig = {
    runtimeEnv: read.get('NODE_ENV'),
    http: {
      host: read.get('HOST'),
      port,
      publicBaseUrl: read.get('DIAPASON_PUBLIC_URL') ?? `http://localhost:${port}`,
      bodyLimitBytes: read.get('DIAPASON_BODY_LIMIT_BYTES'),
      statementLimitBytes: read.get('DIAPASON_STATEMENT_LIMIT_BYTES'),
      trustProxy: read.get('DIAPASON_TRUST_PROXY'),
    },
    apiKeys: {
      invalidKeyLimit: read.get('DIAPASON_INVALID_KEY_LIMIT'),
      invalidKeyWindowMs: read.get('DIAPASON_INVALID_KEY_WINDOW'),
    },
    database: {
      url: read.get('DATABASE_URL'),
      poolSize: read.get('DATABASE_POOL_SIZE'),
      embeddedPort: read.get('DIAPASON_EMBEDDED_PG_PORT'),
    },
    dataDir: read.get('DIAPASON_DATA_DIR'),
    pgBinDir: read.get('DIAPASON_PG_BIN_DIR'),
    shutdownGraceMs: read.get('DIAPASON_SHUTDOWN_GRACE'),
    logLevel: read.get('LOG_LEVEL'),
    delays: {
      completionDelayMs: read.get('DIAPASON_COMPLETION_DELAY'),
      ackTimeoutMs: read.get('DIAPASON_ACK_TIMEOUT'),
      imprintValidityMs: read.get('DIAPASON_IMPRINT_VALIDITY'),
      deadlineAlertMarginMs: read.get('DIAPASON_DEADLINE_ALERT_MARGIN'),
    },
    scheduler: {
      cron: read.get('DIAPASON_SCHEDULER_CRON'),
      batchSize: read.get('DIAPASON_SCHEDULER_BATCH_SIZE'),
      completionLeaseMs: read.get('DIAPASON_COMPLETION_LEASE'),
      outboxLeaseMs: read.get('DIAPASON_OUTBOX_LEASE'),
      completionConcurrency: read.get('DIAPASON_COMPLETION_CONCURRENCY'),
      wakeOnNotify: read.get('DIAPASON_WAKE_ON_NOTIFY'),
    },
    notices: {
      sms: (() => {
        const accountSid = read.get('TWILIO_ACCOUNT_SID');
        const authToken = read.get('TWILIO_AUTH_TOKEN');
        const from = read.get('TWILIO_FROM');
        const apiBaseUrl = read.get('TWILIO_API_BASE_URL');
        if (!accountSid && !authToken && !from) return undefined;
        if (!accountSid || !authToken || !from) {
          const missing = (['TWILIO_ACCOUNT_SID', 'TWILIO_AUTH_TOKEN', 'TWILIO_FROM'] as const).filter((n) => !read.raw(n));
          read.problem(missing[0], `TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN et TWILIO_FROM vont ensemble : il manque ${missing.join(', ')}.`);
          return undefined;
        }
        return { accountSid, authToken, from, apiBaseUrl };
      })(),
      email: (() => {
        const smtpUrl = read.get('SMTP_URL');
        const from = read.get('MAIL_FROM');
        return smtpUrl ? { url: smtpUrl, from } : undefined;
      })(),
      ackEvidence: read.get('DIAPASON_ACK_EVIDENCE'),
      strategy: read.get('DIAPASON_NOTICE_STRATEGY'),
    },
    webhooks: {
      timeoutMs: read.get('DIAPASON_WEBHOOK_TIMEOUT'),
      retryWindowMs: read.get('DIAPASON_WEBHOOK_RETRY_WINDOW'),
      allowedNetworks: read.get('DIAPASON_WEBHOOK_ALLOWED_NETWORKS') ?? [],
    },
    acquirer: {
      url: read.get('ACQUIRER_URL'),
      timeoutMs: read.get('DIAPASON_ACQUIRER_TIMEOUT'),
    },
    tokenSecret: read.get('DIAPASON_TOKEN_SECRET'),
    terminals: {
      runner: read.get('DIAPASON_TERMINAL_RUNNER'),
      bridgeHost: read.get('DIAPASON_BRIDGE_HOST') ?? hostname(),
      pollMs: read.get('DIAPASON_TERMINAL_POLL'),
      leaseMs: read.get('DIAPASON_TERMINAL_LEASE'),
      allowedNetworks: read.get('DIAPASON_TERMINAL_ALLOWED_NETWORKS'),
      serialDevices: read.get('DIAPASON_SERIAL_DEVICES'),
      checkTimeoutMs: read.get('DIAPASON_TERMINAL_CHECK_TIMEOUT'),
    },
    observability: {
      metricsToken: read.get('DIAPASON_METRICS_TOKEN'),
      workerPort: read.get('DIAPASON_WORKER_PORT'),
      workerHost: read.get('DIAPASON_WORKER_HOST'),
    },
    retention: {
      patientData: read.get('DIAPASON_RETENTION_PATIENT_DATA'),
      cron: read.get('DIAPASON_RETENTION_CRON'),
    },
    simulators: {
      enabled: read.get('DIAPASON_SIMULATORS'),
      terminalPort: read.get('DIAPASON_SIM_TERMINAL_PORT'),
      acquirerPort: read.get('DIAPASON_SIM_ACQUIRER_PORT'),
      smsPort: read.get('DIAPASON_SIM_SMS_PORT'),
      smtpPort: read.get('DIAPASON_SIM_SMTP_PORT'),
      mailPort: read.get('DIAPASON_SIM_MAIL_PORT'),
      oidcPort: read.get('DIAPASON_SIM_OIDC_PORT'),
    },
    console: {
      idleTimeoutMs: read.get('DIAPASON_CONSOLE_IDLE_TIMEOUT'),
      sessionMaxMs: read.get('DIAPASON_CONSOLE_SESSION_MAX'),
      lockoutThreshold: read.get('DIAPASON_CONSOLE_LOCKOUT_THRESHOLD'),
      lockoutDelayMs: read.get('DIAPASON_CONSOLE_LOCKOUT_DELAY'),
    },
    oidc: (() => {
      const issuer = read.get('DIAPASON_OIDC_ISSUER');
      const clientId = read.get('DIAPASON_OIDC_CLIENT_ID');
      const clientSecret = read.get('DIAPASON_OIDC_CLIENT_SECRET');
      const rolesClaim = read.get('DIAPASON_OIDC_ROLES_CLAIM');
      const establishmentClaim = read.get('DIAPASON_OIDC_ESTABLISHMENT_CLAIM');
      const defaultEstablishment = read.get('DIAPASON_OIDC_ESTABLISHMENT');
      if (!issuer && !clientId && !clientSecret) return undefined;
      if (!issuer || !clientId || !clientSecret) {
        const missing = (['DIAPASON_OIDC_ISSUER', 'DIAPASON_OIDC_CLIENT_ID', 'DIAPASON_OIDC_CLIENT_SECRET'] as const).filter((n) => !read.raw(n));
        read.problem(
          missing[0],
          `DIAPASON_OIDC_ISSUER, DIAPASON_OIDC_CLIENT_ID et DIAPASON_OIDC_CLIENT_SECRET vont ensemble : il manque ${missing.join(', ')}.`,
        );
        return undefined;
      }
      return { issuer, clientId, clientSecret, rolesClaim, establishmentClaim, defaultEstablishment };
    })(),
  };
  read.get('DIAPASON_ENV_FILE');

  const { completionDelayMs, imprintValidityMs } = config.delays;
  if (completionDelayMs >= imprintValidityMs) {
    read.problem(
      'DIAPASON_COMPLETION_DELAY',
      `le délai avant débit doit être plus court que la validité de l'empreinte (DIAPASON_IMPRINT_VALIDITY).`,
    );
  }
  if (options.role === 'api' || options.role === 'worker') requireForService(config, options.role, read);
  if (read.problems.length > 0) throw new ConfigError(read.problems);
  return config;
}

/**
 * What the api and the worker cannot run without, checked before Nest builds anything, so that
 * each missing piece is named in the same French list as the wrong values.
 */
function requireForService(config: DiapasonConfig, role: 'api' | 'worker', read: SettingsReader): void {
  if (!config.database.url && !read.raw('DATABASE_URL')) {
    read.problem(
      'DATABASE_URL',
      `absente : l’${role === 'api' ? 'api' : 'worker'} lancé seul a besoin de l’URL de sa base PostgreSQL ` +
        `(ex. postgres://diapason:motdepasse@db.chu.local:5432/diapason). Pour tout lancer sur ce poste avec la base embarquée : npm start.`,
    );
  }
  if (!config.tokenSecret && !read.raw('DIAPASON_TOKEN_SECRET')) {
    read.problem(
      'DIAPASON_TOKEN_SECRET',
      'absent : ce secret (au moins 32 caractères, le même pour l’api et le worker) signe les liens envoyés aux patients. Créez-en un avec : openssl rand -base64 48',
    );
  }
  const twilioGiven = Boolean(read.raw('TWILIO_ACCOUNT_SID') || read.raw('TWILIO_AUTH_TOKEN') || read.raw('TWILIO_FROM'));
  if (!config.notices.sms && !config.notices.email && !twilioGiven && !read.raw('SMTP_URL')) {
    read.problem(
      'SMTP_URL',
      'aucun canal de notification : configurez Twilio (TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN, TWILIO_FROM) et/ou SMTP (SMTP_URL, MAIL_FROM).',
    );
  }
}

export { redactUrl };
export type { RetentionPeriod };
