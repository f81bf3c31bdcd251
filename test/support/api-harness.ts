import { appendFileSync } from 'node:fs';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DataSource } from 'typeorm';
import { Clock, ManualClock } from '@diapason/domain';
import { DiapasonConfig, loadConfig } from '@diapason/config';
import { API_KEY_SCOPES, ApiKeyRepository, ApiKeyScope, EstablishmentRepository, TransactionContext } from '@diapason/persistence';
import { createApiApp } from '../../apps/api/src/bootstrap';
import type { HostLookup } from '@diapason/notifier';
import { simulatorTerminalEnv } from '../../simulators/terminal';
import { freshDatabase } from './fresh-database';
import { OpenApiValidator } from './openapi-validator';
import { freePort } from './test-database';

export interface HttpAnswer<T = any> {
  status: number;
  headers: Headers;
  body: T;
  text: string;
}

export interface RequestOptions {
  key?: string;
  body?: unknown;
  /** Sent as is, without JSON encoding. */
  rawBody?: string;
  headers?: Record<string, string>;
}

export interface ApiHarness {
  app: NestExpressApplication;
  url: string;
  config: DiapasonConfig;
  dataSource: DataSource;
  clock: ManualClock;
  databaseUrl: string;
  /** Every answer `request()` receives is checked against the served OpenAPI document. */
  openapi: OpenApiValidator;
  /** A key of the establishment (created if need be), with every scope unless `scopes` says otherwise. */
  createKey(establishmentCode: string, name?: string, scopes?: readonly ApiKeyScope[]): Promise<string>;
  request<T = any>(method: string, path: string, options?: RequestOptions): Promise<HttpAnswer<T>>;
  close(): Promise<void>;
}

/**
 * The tests' terminals are simulators on the loopback and on ptys of the temporary folder, which the
 * default allow-lists refuse: the tests allow them explicitly, as npm start does for its simulators.
 */
export const SIMULATOR_TERMINAL_ENV: Record<string, string> = simulatorTerminalEnv(loadConfig({}).terminals);

export const TEST_ENV: Record<string, string> = {
  ...SIMULATOR_TERMINAL_ENV,
  NODE_ENV: 'test',
  LOG_LEVEL: 'silent',
  DIAPASON_TOKEN_SECRET: 'test-secret-test-secret-test-secret-0123',
  // Channels are configured (notices are queued) but nothing sends them unless a suite starts a worker.
  TWILIO_ACCOUNT_SID: 'ACtest0000000000000000000000000000',
  TWILIO_AUTH_TOKEN: 'test-auth-token-0123456789abcdef',
  TWILIO_FROM: 'DIAPASON',
  TWILIO_API_BASE_URL: 'http://127.0.0.1:1',
  SMTP_URL: 'smtp://127.0.0.1:1',
  // The suites' webhook receivers listen on loopback, which webhooks reach only when it is listed.
  DIAPASON_WEBHOOK_ALLOWED_NETWORKS: '127.0.0.1/32',
};

export interface StartApiOptions {
  env?: Record<string, string>;
  clock?: Clock;
  hostLookup?: HostLookup;
  /** The URL the api connects with, from its fresh database's (a relay that can cut the database, test/support/database-relay.ts). */
  connectThrough?: (databaseUrl: string) => Promise<string>;
}

export async function startApi(options: StartApiOptions = {}): Promise<ApiHarness> {
  const database = await freshDatabase();
  const port = await freePort();
  const config = loadConfig({
    ...TEST_ENV,
    PORT: String(port),
    DIAPASON_PUBLIC_URL: `http://127.0.0.1:${port}`,
    DIAPASON_TERMINAL_POLL: '200ms',
    ...options.env,
    DATABASE_URL: options.connectThrough ? await options.connectThrough(database.url) : database.url,
  });
  const clock = (options.clock as ManualClock | undefined) ?? new ManualClock(new Date('2026-11-23T09:00:00Z'));
  const app = await createApiApp(config, { clock, hostLookup: options.hostLookup });
  await app.listen(config.http.port, '127.0.0.1');
  const url = config.http.publicBaseUrl;
  const dataSource = app.get(DataSource);
  const tx = app.get(TransactionContext);
  const openapi = await OpenApiValidator.load(url);

  return {
    app,
    url,
    config,
    dataSource,
    clock,
    databaseUrl: database.url,
    openapi,
    async createKey(code, name, scopes = API_KEY_SCOPES) {
      return tx.run(async () => {
        const establishment = await new EstablishmentRepository(tx).ensure(code, name ?? `Hôpital ${code}`);
        return (await new ApiKeyRepository(tx).create(establishment.id, { scopes })).key;
      });
    },
    async request(method, path, requestOptions = {}) {
      const headers: Record<string, string> = { ...requestOptions.headers };
      if (requestOptions.key) headers.authorization = `Bearer ${requestOptions.key}`;
      let body: string | undefined = requestOptions.rawBody;
      if (requestOptions.body !== undefined) {
        body = JSON.stringify(requestOptions.body);
        headers['content-type'] ??= 'application/json';
      }
      const response = await fetch(`${url}${path}`, { method, headers, body });
      const text = await response.text();
      let parsed: unknown = text;
      try {
        parsed = text ? JSON.parse(text) : undefined;
      } catch {
        // not JSON: keep the text
      }
      // Throws on an undocumented status or a body that does not match the document.
      openapi.check({ method, path, status: response.status, contentType: response.headers.get('content-type'), body: parsed, text });
      return { status: response.status, headers: response.headers, body: parsed as any, text };
    },
    async close() {
      // Set DIAPASON_OPENAPI_COUNT_FILE to count the answers validated over a whole run.
      if (process.env.DIAPASON_OPENAPI_COUNT_FILE) appendFileSync(process.env.DIAPASON_OPENAPI_COUNT_FILE, `${openapi.validated}\n`);
      await app.close();
      await database.drop();
    },
  };
}
