import { readFileSync } from 'node:fs';
import { Server, Socket, createConnection, createServer } from 'node:net';
import { join } from 'node:path';
import { parse } from 'yaml';
import { ManualClock } from '@diapason/domain';
import { DiapasonMetrics } from '@diapason/metrics';
import { loadConfig } from '@diapason/config';
import { createWorker } from '../apps/worker/src/bootstrap';
import { WorkerHttpServer } from '../apps/worker/src/observability';
import { UNMATCHED_ROUTE as UNMATCHED } from '../apps/api/src/metrics/http-metrics';
import { ApiHarness, TEST_ENV, startApi } from './support/api-harness';
import { createDossier } from './support/fixtures';
import { ROOT } from './support/processes';
import { freePort } from './support/test-database';
import { WorkerHarness, startWorker } from './support/worker-harness';

const TOKEN = 'metrics-token-0123456789abcdef';
const PATIENT = { lastName: 'Zébulonesque', firstName: 'Philibertine', phone: '06 39 98 07 77', email: 'philibertine.z@example.test' };

/** A TCP relay to PostgreSQL that can be cut: the database « disappears » for the worker behind it. */
async function cuttableRelay(target: URL): Promise<{ url: string; cut(): void }> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    const upstream = createConnection(Number(target.port), target.hostname);
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('error', () => undefined);
      s.on('close', () => sockets.delete(s));
    }
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const relayed = new URL(target.toString());
  relayed.hostname = '127.0.0.1';
  relayed.port = String((server.address() as { port: number }).port);
  return {
    url: relayed.toString(),
    cut: () => {
      server.close();
      for (const s of sockets) s.destroy();
    },
  };
}

/** Names a registry exposes, as they appear in the text format (histograms: `_bucket`, `_sum`, `_count`). */
async function exposedNames(metrics: DiapasonMetrics): Promise<Set<string>> {
  const names = new Set<string>();
  for (const m of await metrics.registry.getMetricsAsJSON()) {
    names.add(m.name);
    if (String(m.type) === 'histogram') for (const suffix of ['_bucket', '_sum', '_count']) names.add(m.name + suffix);
  }
  return names;
}

/** Metric names in a PromQL expression: identifiers followed by `{`, `[`, `)` or an operator, not label names or functions. */
function metricNamesIn(expr: string): string[] {
  const withoutStrings = expr.replace(/"[^"]*"/g, '""').replace(/\{[^}]*\}/g, '{}');
  const names = withoutStrings.match(/\b(diapason_[a-z0-9_]+|up)\b(?!\s*\()/g) ?? [];
  return [...new Set(names)];
}

describe('metrics: api, worker listener, alert rules and dashboard', () => {
  let api: ApiHarness;
  let worker: WorkerHarness;
  let workerPort: number;
  let key: string;
  let dossierId: string;

  beforeAll(async () => {
    api = await startApi({ env: { DIAPASON_METRICS_TOKEN: TOKEN } });
    workerPort = await freePort();
    worker = await startWorker({
      databaseUrl: api.databaseUrl,
      clock: api.clock,
      env: { DIAPASON_WORKER_PORT: String(workerPort), DIAPASON_WORKER_HOST: '127.0.0.1', DIAPASON_WAKE_ON_NOTIFY: 'true' },
    });
    key = await api.createKey('CH-METRIQUES');
    await api.request('PUT', '/v1/regies/REGIE-01', { key, body: { name: 'Régie' } });
    dossierId = (await createDossier(api, key, { patient: PATIENT })).id;
  });
  afterAll(async () => {
    await worker?.close();
    await api?.close();
  });

  const scrapeApi = (token: string | undefined) => fetch(`${api.url}/metrics`, { headers: token ? { authorization: `Bearer ${token}` } : {} });
  const workerUrl = (path: string) => `http://127.0.0.1:${workerPort}${path}`;

  describe('api /metrics', () => {
    it('refuses a scraper without DIAPASON_METRICS_TOKEN, with a French problem', async () => {
      for (const token of [undefined, 'not-the-token-0123456789']) {
        const res = await scrapeApi(token);
        expect(res.status).toBe(401);
        expect(res.headers.get('content-type')).toContain('application/problem+json');
        expect(((await res.json()) as { detail: string }).detail).toMatch(/Jeton de supervision/);
      }
    });

    it('shows latency and status by route template, never a raw URL, a token or a personal value', async () => {
      await api.request('GET', `/v1/dossiers/${dossierId}`, { key });
      await api.request('GET', `/v1/dossiers/${dossierId}`, { key });
      await api.request('GET', '/v1/dossiers', { key });
      const patientToken = 'Zm9vYmFyLXBhdGllbnQtdG9rZW4tc2hvdWxkLW5vdC1sZWFr';
      await fetch(`${api.url}/p/${patientToken}`);
      await api.request('GET', '/v1/nowhere/secret-path-42', { key });
      await api.request('GET', '/v1/dossiers'); // no key: refused with 401 before routing (and before its body is read)

      const res = await scrapeApi(TOKEN);
      expect(res.status).toBe(200);
      const text = await res.text();
      expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
      const count = (route: string, status: number, method = 'GET') =>
        Number(
          new RegExp(
            `diapason_http_request_duration_seconds_count\\{method="${method}",route="${route.replace(/[/:]/g, '\\$&')}",status="${status}"\\} (\\d+)`,
          ).exec(text)?.[1] ?? 0,
        );
      expect(count('/v1/dossiers/:id', 200)).toBe(2);
      expect(count('/v1/dossiers', 200)).toBe(1);
      expect(count(UNMATCHED, 401)).toBe(1);
      expect(count('/v1/dossiers', 201, 'POST')).toBe(1);
      expect(count('/p/:token', 404)).toBe(1);
      expect(count(UNMATCHED, 404)).toBe(1);
      expect(text).toMatch(/diapason_http_request_duration_seconds_bucket\{le="0\.005",method="GET",route="\/v1\/dossiers\/:id",status="200"\}/);
      expect(text).toMatch(/diapason_db_pool_connections\{state="total"\} \d+/);
      expect(text).toContain('process_cpu_user_seconds_total');
      // Nothing of the patient, the dossier, the key or the link.
      for (const secret of [dossierId, patientToken, key, 'secret-path-42', PATIENT.lastName, PATIENT.firstName, '639980777', PATIENT.email]) {
        expect(text).not.toContain(secret);
      }
      // The api shows no gauge read from the database: those are the workers'.
      expect(text).not.toContain('diapason_dossiers{');
    });
  });

  describe('worker listener', () => {
    it('answers /health (alive) and /ready (database and LISTEN connections)', async () => {
      const health = await fetch(workerUrl('/health'));
      expect(health.status).toBe(200);
      expect(await health.json()).toMatchObject({ status: 'ok' });
      const ready = await fetch(workerUrl('/ready'));
      expect(ready.status).toBe(200);
      expect(await ready.json()).toEqual({ status: 'ready', database: 'up', listeners: { outbox: 'connected', imprints: 'disabled' } });
      expect((await fetch(workerUrl('/nothing'))).status).toBe(404);
    });

    it('serves /metrics: dossiers by status, backlogs, sweeps, pool, and nothing personal', async () => {
      await worker.tick();
      const res = await fetch(workerUrl('/metrics'));
      expect(res.status).toBe(200);
      const text = await res.text();
      expect(text).toMatch(/diapason_dossiers\{status="awaiting_imprint"\} 1\b/);
      expect(text).toMatch(/diapason_dossiers\{status="completed"\} 0\b/);
      expect(text).toMatch(/^diapason_debits_due 0$/m);
      expect(text).toMatch(/^diapason_outbox_backlog 0$/m);
      expect(text).toMatch(/^diapason_webhook_backlog_oldest_age_seconds 0$/m);
      expect(text).toMatch(/^diapason_database_up 1$/m);
      expect(text).toMatch(/diapason_worker_listener_connected\{channel="outbox"\} 1/);
      expect(text).toMatch(/diapason_sweep_duration_seconds_count\{sweep="complete-due-dossiers"\} [1-9]/);
      expect(text).toMatch(/diapason_db_pool_connections\{state="idle"\} \d+/);
      for (const value of [dossierId, PATIENT.lastName, PATIENT.firstName, '639980777', PATIENT.email]) expect(text).not.toContain(value);
    });

    it('is not ready when its database is gone, and names a busy port in French', async () => {
      const relay = await cuttableRelay(new URL(api.databaseUrl));
      const port = await freePort();
      const lost = await startWorker({
        databaseUrl: relay.url,
        clock: new ManualClock(api.clock.now()),
        env: { DIAPASON_WORKER_PORT: String(port), DIAPASON_WORKER_HOST: '127.0.0.1', DIAPASON_WAKE_ON_NOTIFY: 'true' },
      });
      try {
        expect((await fetch(`http://127.0.0.1:${port}/ready`)).status).toBe(200);
        relay.cut();
        const ready = await fetch(`http://127.0.0.1:${port}/ready`);
        expect(ready.status).toBe(503);
        expect(await ready.json()).toMatchObject({ status: 'not_ready', database: 'down' });
        expect((await fetch(`http://127.0.0.1:${port}/health`)).status).toBe(200);

        // A second worker on the same port stops before it starts anything.
        const config = loadConfig({
          ...TEST_ENV,
          DATABASE_URL: api.databaseUrl,
          DIAPASON_WORKER_PORT: String(port),
          DIAPASON_WORKER_HOST: '127.0.0.1',
          DIAPASON_TERMINAL_RUNNER: 'false',
          DIAPASON_WAKE_ON_NOTIFY: 'false',
        });
        await expect(createWorker(config, new ManualClock(api.clock.now()))).rejects.toThrow(
          new RegExp(`port ${port} \\(le worker.*déjà utilisé.*DIAPASON_WORKER_PORT=`, 's'),
        );
      } finally {
        relay.cut();
        await lost.close().catch(() => undefined);
      }
    });

    it('asks for the token when DIAPASON_METRICS_TOKEN is set', async () => {
      const port = await freePort();
      const guarded = await startWorker({
        databaseUrl: api.databaseUrl,
        clock: api.clock,
        env: { DIAPASON_WORKER_PORT: String(port), DIAPASON_WORKER_HOST: '127.0.0.1', DIAPASON_METRICS_TOKEN: TOKEN },
      });
      try {
        expect((await fetch(`http://127.0.0.1:${port}/metrics`)).status).toBe(401);
        expect((await fetch(`http://127.0.0.1:${port}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } })).status).toBe(200);
        expect((await fetch(`http://127.0.0.1:${port}/ready`)).status).toBe(200);
      } finally {
        await guarded.close();
      }
    });
  });

  describe('docs/operations', () => {
    let registered: Set<string>;
    beforeAll(async () => {
      registered = new Set([...(await exposedNames(api.app.get(DiapasonMetrics))), ...(await exposedNames(worker.app.get(DiapasonMetrics))), 'up']);
      expect(worker.app.get(WorkerHttpServer).port).toBe(workerPort);
    });

    it('alert rules load with a YAML parser, are complete, in French, and use only registered metrics', () => {
      const doc = parse(readFileSync(join(ROOT, 'docs/operations/prometheus/alerts.yml'), 'utf8')) as {
        groups: { name: string; rules: Record<string, any>[] }[];
      };
      expect(doc.groups.length).toBeGreaterThan(0);
      const alerts = doc.groups.flatMap((g) => {
        expect(g.name).toEqual(expect.any(String));
        return g.rules;
      });
      for (const rule of alerts) {
        expect(rule).toEqual({
          alert: expect.stringMatching(/^Diapason[A-Za-z]+$/),
          expr: expect.any(String),
          for: expect.stringMatching(/^\d+[smhd]$/),
          labels: { severity: expect.stringMatching(/^(critical|warning)$/) },
          annotations: { summary: expect.any(String), description: expect.any(String) },
        });
        for (const text of Object.values(rule.annotations as Record<string, string>)) {
          expect({ alert: rule.alert, text }).toEqual({
            alert: rule.alert,
            text: expect.stringMatching(/[éèêàùç’]|\b(le|la|les|des|du|de|un|une)\b/i),
          });
        }
        const unknown = metricNamesIn(rule.expr).filter((name) => !registered.has(name));
        expect({ alert: rule.alert, unknown }).toEqual({ alert: rule.alert, unknown: [] });
      }
      const names = alerts.map((r) => r.alert as string);
      expect(new Set(names).size).toBe(names.length);
      // The five the issue asks for, at least.
      for (const metric of [
        'diapason_debits_due_oldest_age_seconds',
        'diapason_outbox_backlog',
        'diapason_terminal_up',
        'diapason_notices_total',
        'diapason_webhook_endpoint_failing_seconds',
      ]) {
        expect(alerts.some((r) => (r.expr as string).includes(metric))).toBe(true);
      }
      expect(alerts.find((r) => (r.expr as string).includes('diapason_webhook_endpoint_failing_seconds'))!.expr).toMatch(/> 3600/);
    });

    it('the Grafana dashboard is JSON whose queries use only registered metrics', () => {
      const dashboard = JSON.parse(readFileSync(join(ROOT, 'docs/operations/grafana/diapason.json'), 'utf8'));
      expect(dashboard).toMatchObject({ title: 'DIAPASON', uid: 'diapason', panels: expect.any(Array) });
      const exprs: string[] = dashboard.panels.flatMap((p: any) => (p.targets ?? []).map((t: any) => t.expr as string));
      expect(exprs.length).toBeGreaterThan(10);
      const used = new Set(exprs.flatMap(metricNamesIn));
      expect([...used].filter((name) => !registered.has(name))).toEqual([]);
      // Every metric DIAPASON registers (but the process defaults) has a panel.
      const ours = [...registered].filter((n) => n.startsWith('diapason_') && !/_(bucket|sum|count)$/.test(n));
      const shown = (name: string) => [...used].some((u) => u === name || u.startsWith(`${name}_`));
      expect(ours.filter((name) => !shown(name))).toEqual([]);
    });
  });
});
