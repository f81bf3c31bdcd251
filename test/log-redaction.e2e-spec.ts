import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { ManualClock } from '@diapason/domain';
import { PatientLinkTokens } from '@diapason/notifier';
import { ApiHarness, TEST_ENV, startApi } from './support/api-harness';
import { dossierBody, driveTo } from './support/fixtures';
import { Started, runProcess, startProcess, waitFor } from './support/processes';
import { freePort } from './support/test-database';

/**
 * Issue 13, point 4: no log line carries a patient's name, phone, e-mail or address, a patient
 * link token, an API key or a webhook secret, whatever fails. The compiled api, worker and cli run
 * at LOG_LEVEL=trace against one database; the test provokes each failure that used to leak (a NUL
 * byte in a name or a webhook URL, failed queries whose row and parameters hold personal data, in
 * the api and in the worker, patient links, an invalid key), then searches everything they wrote.
 */

const PATIENT = { lastName: 'Quenouille', firstName: 'Ophélie', phone: '06 39 98 42 17', email: 'ophelie.quenouille@example.test' };
const REGIE = { address: '12 rue des Fifres', phone: '01 99 00 77 31', email: 'regie.fifres@example.test' };
const WEBHOOK_SECRET = `whsec_${randomBytes(24).toString('hex')}`;
const INVALID_KEY = `dpk_${randomBytes(32).toString('base64url')}`;
const COOKIE_SECRET = `session-${randomBytes(12).toString('hex')}`;

/** Probes: CHECK constraints (NOT VALID: rows already there are not checked) that make chosen writes fail. */
const PROBES = [
  `ALTER TABLE dossier ADD CONSTRAINT log_probe_dossier CHECK (gap_dossier_number NOT LIKE 'PROBE-%') NOT VALID`,
  `ALTER TABLE webhook_endpoint ADD CONSTRAINT log_probe_webhook CHECK (url NOT LIKE '%/probe%') NOT VALID`,
  `ALTER TABLE regie ADD CONSTRAINT log_probe_regie CHECK (coalesce(address, '') NOT LIKE '%Fifres%') NOT VALID`,
  // The worker's first write of an SMS notice (its recipient is the patient's phone) fails.
  `ALTER TABLE notice ADD CONSTRAINT log_probe_notice CHECK (channel <> 'sms') NOT VALID`,
  `ALTER TABLE establishment ADD CONSTRAINT log_probe_establishment CHECK (name NOT LIKE '%Quenouille%') NOT VALID`,
];

async function sql(url: string, statements: string[]): Promise<any[][]> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    const results: any[][] = [];
    for (const statement of statements) results.push((await client.query(statement)).rows);
    return results;
  } finally {
    await client.end();
  }
}

describe('logs: no personal data nor secret, whatever fails (api, worker, cli at trace level)', () => {
  let harness: ApiHarness;
  let api: Started | undefined;
  let worker: Started | undefined;
  let base: string;
  let key: string;
  let env: Record<string, string>;
  const cliOutput: string[] = [];
  const secrets: Record<string, string> = {};

  beforeAll(async () => {
    // The in-process harness only provides the database and the fixtures; its own logs are silent.
    harness = await startApi({ clock: new ManualClock(new Date()) });
    await sql(harness.databaseUrl, PROBES);
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    env = {
      ...TEST_ENV,
      LOG_LEVEL: 'trace',
      DATABASE_URL: harness.databaseUrl,
      PORT: String(port),
      DIAPASON_PUBLIC_URL: base,
      DIAPASON_SCHEDULER_CRON: '* * * * * *',
      DIAPASON_TERMINAL_RUNNER: 'false',
    };
    const created = await runProcess(
      'dist/apps/cli/src/main.js',
      ['api-key:create', 'CH-LOGS', '--name', 'CH des journaux', '--scopes', 'dossiers,webhooks'],
      env,
    );
    expect(created.code).toBe(0);
    key = created.stdout.trim();
    // stdout is the command's answer (the key, on purpose); stderr is its log.
    cliOutput.push(created.stderr);
    api = startProcess('dist/apps/api/src/main.js', [], env);
    await waitFor(async () => ((await fetch(`${base}/health`)).ok ? true : undefined), 20_000, 'api health');
    Object.assign(secrets, {
      'last name': PATIENT.lastName,
      'first name': PATIENT.firstName,
      'first name (ASCII)': 'Ophelie',
      phone: PATIENT.phone,
      'phone (digits)': '639984217',
      'phone (E.164)': '+33639984217',
      'e-mail': PATIENT.email,
      'e-mail (local part)': 'ophelie.quenouille',
      'régie address': 'Fifres',
      'régie phone (digits)': '199007731',
      'régie e-mail': 'regie.fifres',
      'API key': key,
      'API key (body)': key.slice(4, 24),
      'invalid key': INVALID_KEY.slice(4, 24),
      'webhook secret': WEBHOOK_SECRET,
      'webhook secret (body)': WEBHOOK_SECRET.slice(6, 30),
      cookie: COOKIE_SECRET,
      'token secret': TEST_ENV.DIAPASON_TOKEN_SECRET,
      'Twilio auth token': TEST_ENV.TWILIO_AUTH_TOKEN,
    });
  });

  afterAll(async () => {
    for (const started of [api, worker]) if (started && started.child.exitCode === null) started.child.kill('SIGKILL');
    await harness?.close();
  });

  const call = async (
    method: string,
    path: string,
    options: { body?: unknown; rawBody?: string; headers?: Record<string, string>; key?: string } = {},
  ) => {
    const headers: Record<string, string> = { ...options.headers };
    if (options.key !== undefined) headers.authorization = `Bearer ${options.key}`;
    if (options.body !== undefined || options.rawBody !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(`${base}${path}`, {
      method,
      headers,
      body: options.rawBody ?? (options.body === undefined ? undefined : JSON.stringify(options.body)),
      redirect: 'manual',
    });
    const text = await res.text();
    return { status: res.status, text };
  };

  it('provokes each failure in the api', async () => {
    // A NUL byte in the last name: refused before any query (it used to log the row's first name and phone).
    const nul = await call('POST', '/v1/dossiers', { key, body: dossierBody({ patient: { ...PATIENT, lastName: 'Quenou\u0000ille' } }) });
    expect(nul.status).toBe(400);
    // A NUL byte in a webhook URL (it used to log the webhook secret).
    const nulHook = await call('POST', '/v1/webhook-endpoints', { key, body: { url: 'https://gap.example.test/\u0000', secret: WEBHOOK_SECRET } });
    expect(nulHook.status).toBe(400);
    // Failed queries whose parameters and « Failing row contains (…) » hold the patient, the secret, the régie's details.
    const failedDossier = await call('POST', '/v1/dossiers', { key, body: dossierBody({ gapDossierNumber: 'PROBE-1', patient: PATIENT }) });
    expect(failedDossier.status).toBe(500);
    const failedHook = await call('POST', '/v1/webhook-endpoints', { key, body: { url: 'https://93.184.215.14/probe', secret: WEBHOOK_SECRET } });
    expect(failedHook.status).toBe(500);
    const failedRegie = await call('PUT', '/v1/regies/REGIE-01', { key, body: { name: 'Régie', ...REGIE } });
    expect(failedRegie.status).toBe(500);
    // Personal data in a query string; an invalid key; a cookie.
    expect((await call('GET', `/v1/dossiers?gapDossierNumber=${encodeURIComponent(PATIENT.email)}`, { key })).status).toBe(200);
    expect((await call('GET', '/v1/dossiers', { key: INVALID_KEY, headers: { cookie: `sid=${COOKIE_SECRET}` } })).status).toBe(401);
    expect((await call('GET', '/v1/dossiers', { headers: { 'x-api-key': key } })).status).toBe(401);
  });

  it('provokes a failed query in the worker, and follows a real patient link', async () => {
    const created = await call('POST', '/v1/dossiers', { key, body: dossierBody({ patient: PATIENT }) });
    expect(created.status).toBe(201);
    const dossierId = (JSON.parse(created.text) as { id: string }).id;
    await driveTo(harness, dossierId, 'imprinted');
    const requested = await call('POST', `/v1/dossiers/${dossierId}/payment-request`, { key, body: { amountCents: 1750 } });
    expect(requested.status).toBe(200);

    worker = startProcess('dist/apps/worker/src/main.js', [], { ...env, DIAPASON_WORKER_PORT: '0' });
    const attempt = (probe: boolean) =>
      waitFor(
        async () => {
          const [rows] = await sql(harness.databaseUrl, [
            `SELECT attempts, last_error FROM outbox WHERE dossier_id = '${dossierId}' AND payload->>'channel' = 'sms' AND attempts > 0
              AND last_error ${probe ? '' : 'NOT'} LIKE '%log_probe_notice%'`,
          ]);
          return rows[0] as { attempts: number; last_error: string } | undefined;
        },
        30_000,
        'an attempt of the SMS notice',
      );
    // The first write of the SMS notice (its row holds the patient's phone) fails on the probe.
    await attempt(true);
    expect(worker.output()).toContain('log_probe_notice');
    // Then the notice is written, and the SMS gateway (a closed port) fails: the provider's error is logged.
    await sql(harness.databaseUrl, ['ALTER TABLE notice DROP CONSTRAINT log_probe_notice']);
    await attempt(false);

    // The notice exists: a link signed for it is a real patient link.
    const [[notice]] = await sql(harness.databaseUrl, [`SELECT id FROM notice WHERE dossier_id = '${dossierId}' AND channel = 'sms'`]);
    const token = harness.app.get(PatientLinkTokens).sign(notice.id, new Date(Date.now() + 86_400_000));
    secrets['patient token'] = token;
    secrets['patient token (start)'] = token.slice(0, 16);
    expect((await call('GET', `/p/${token}`)).status).toBe(200);
    expect((await call('GET', `/p/${token}?fait=prise-de-connaissance`)).status).toBe(200);
    expect((await call('GET', `/p/${token}/o.gif`)).status).toBe(200);
    const acknowledged = await call('POST', `/p/${token}/prise-de-connaissance`);
    expect(acknowledged.status).toBe(303);
    expect((await call('GET', `/p/${token.slice(0, 42)}x`)).status).toBe(404);
  });

  it('a cli command that fails on the database', async () => {
    const failed = await runProcess('dist/apps/cli/src/main.js', ['api-key:create', 'CH-Q', '--name', `Clinique ${PATIENT.lastName}`], env);
    expect(failed.code).toBe(1);
    cliOutput.push(failed.stdout, failed.stderr);
    const verbose = await runProcess('dist/apps/cli/src/main.js', ['api-key:create', 'CH-Q', '--name', `Clinique ${PATIENT.lastName}`], {
      ...env,
      LOG_LEVEL: 'debug',
    });
    cliOutput.push(verbose.stdout, verbose.stderr);
  });

  it('wrote none of the personal values and secrets, and still logged what failed', async () => {
    for (const started of [api, worker]) {
      started!.child.kill('SIGTERM');
      await started!.exited;
    }
    const apiLog = api!.output();
    const workerLog = worker!.output();
    const everything = [apiLog, workerLog, ...cliOutput].join('\n');
    const leaks = Object.entries(secrets).flatMap(([what, value]) =>
      everything
        .split('\n')
        .filter((line) => line.toLowerCase().includes(value.toLowerCase()))
        .map((line) => `${what}: ${line.slice(0, 400)}`),
    );
    expect(leaks).toEqual([]);

    // The failures are in the logs, with what an operator needs to find the cause.
    const lines = (log: string) =>
      log
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l) as Record<string, any>);
    const apiErrors = lines(apiLog).filter((l) => l.msg === 'request failed');
    expect(apiErrors.map((l) => l.err.constraint).sort()).toEqual(['log_probe_dossier', 'log_probe_regie', 'log_probe_webhook']);
    for (const l of apiErrors) {
      expect(l.err).toMatchObject({ code: '23514', message: expect.stringContaining('violates check constraint') });
      expect(l.err).not.toHaveProperty('parameters');
      expect(l.err).not.toHaveProperty('detail');
      expect(l.err).not.toHaveProperty('query');
    }
    const patientLines = lines(apiLog).filter((l) => typeof l.req?.url === 'string' && l.req.url.startsWith('/p/'));
    expect(patientLines.length).toBeGreaterThanOrEqual(4);
    for (const l of patientLines) expect(l.req.url).toMatch(/^\/p\/\[masqué\](\/[a-z.-]+)?(\?\[masqué\])?$/);
    const workerFailures = lines(workerLog).filter((l) => l.err?.constraint === 'log_probe_notice');
    expect(workerFailures.length).toBeGreaterThanOrEqual(1);
    expect(workerFailures[0].err).toMatchObject({ code: '23514', table: 'notice' });
  });
});
