import { AcquirerSimulator, startAcquirerSimulator } from '../simulators/acquirer';
import { seedDueDossiers } from '../bench/seed';
import { ApiHarness, startApi } from './support/api-harness';
import { createDossier, driveTo } from './support/fixtures';
import { WorkerHarness, startWorker } from './support/worker-harness';

const X = 3 * 86_400_000;

describe('scheduler and acquirer: debit X after acknowledgment, abandon after Y, alert before deadlines', () => {
  let api: ApiHarness;
  let acquirer: AcquirerSimulator;
  let worker: WorkerHarness;
  let key: string;

  beforeAll(async () => {
    api = await startApi();
    acquirer = await startAcquirerSimulator();
    worker = await startWorker({
      databaseUrl: api.databaseUrl,
      clock: api.clock,
      env: {
        ACQUIRER_URL: acquirer.url,
        DIAPASON_ACQUIRER_TIMEOUT: '300ms',
        DIAPASON_COMPLETION_LEASE: '1m',
        LOG_LEVEL: process.env.TEST_LOG ?? 'silent',
      },
    });
    key = await api.createKey('CHU-SCHED');
  });
  afterAll(async () => {
    await worker.close();
    await api.close();
    await acquirer.stop();
  });
  afterEach(() => acquirer.clearInjected());

  const get = async (id: string) => (await api.request('GET', `/v1/dossiers/${id}`, { key })).body;
  const debitsOf = (id: string) => acquirer.debitsPerKey.get(`diapason-completion-${id}`) ?? 0;

  async function acknowledged(amountCents = 1750) {
    const d = await createDossier(api, key);
    await driveTo(api, d.id, 'imprinted', 5000);
    await api.request('POST', `/v1/dossiers/${d.id}/payment-request`, { key, body: { amountCents } });
    await driveTo(api, d.id, 'acknowledged');
    return d.id;
  }

  /** Runs `work` with the shared clock moved by `ms`, then puts it back. */
  async function at<T>(ms: number, work: () => Promise<T>): Promise<T> {
    const start = api.clock.now();
    api.clock.advance(ms);
    try {
      return await work();
    } finally {
      api.clock.set(start);
    }
  }

  it('debits X after the acknowledgment, not before, with the acquirer’s references', async () => {
    const id = await acknowledged(1750);
    expect((await get(id)).debitScheduledAt).toBe(new Date(api.clock.now().getTime() + X).toISOString());
    await at(X - 1000, () => worker.tick());
    expect((await get(id)).status).toBe('acknowledged');
    await at(X, () => worker.tick());
    const done = await get(id);
    expect(done).toMatchObject({ status: 'completed', category: 'completed', categoryLabel: 'Paiement abouti' });
    expect(done.completion).toMatchObject({ idempotencyKey: `diapason-completion-${id}` });
    expect(done.completion.transactionReference).toMatch(/^ACQ\d{10}$/);
    expect(done.completion.settlementDate).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(debitsOf(id)).toBe(1);
    const entry = acquirer.ledger.find((e) => e.merchantReference === id)!;
    expect(entry.amountCents).toBe(1750);
    const events = (await api.request('GET', `/v1/dossiers/${id}/events`, { key })).body.data.map((e: { type: string }) => e.type);
    expect(events.slice(-2)).toEqual(['dossier.completing', 'dossier.completed']);
  });

  it.each([
    [1751, '51', /Provision insuffisante/],
    [1754, '54', /Carte expirée/],
  ])('records a bank rejection for %i with the reason %s in French', async (amount, code, message) => {
    const id = await acknowledged(amount);
    await at(X, () => worker.tick());
    const done = await get(id);
    expect(done).toMatchObject({ status: 'bank_rejected', categoryLabel: 'Rejet bancaire', bankRejection: { code } });
    expect(done.bankRejection.message).toMatch(message);
    expect(debitsOf(id)).toBe(0);
  });

  it.each(['timeout', 'error_5xx', 'drop_after_commit'] as const)(
    'survives an acquirer %s: asks before sending again, debits once',
    async (failure) => {
      const id = await acknowledged();
      acquirer.inject(failure);
      await at(X, () => worker.tick());
      expect((await get(id)).status).toBe('completed');
      expect(debitsOf(id)).toBe(1);
    },
  );

  it('leaves a debit whose outcome is unknown in completing, and settles it later without a second debit', async () => {
    const id = await acknowledged();
    // The debit goes through but its answer is lost, then the server stops answering.
    acquirer.inject('drop_after_commit', 'timeout', 'timeout', 'timeout', 'timeout');
    await at(X, () => worker.tick());
    expect((await get(id)).status).toBe('completing');
    expect(debitsOf(id)).toBe(1);
    await at(X + 2 * 60_000, () => worker.tick());
    expect((await get(id)).status).toBe('completed');
    expect(debitsOf(id)).toBe(1);
  });

  it('the janitor asks about a debit left by a dead worker, and only sends when the acquirer never got it', async () => {
    const sent = await acknowledged();
    const lost = await acknowledged();
    // A worker took both debits and died: their lease runs out, the janitor's next pass takes them over.
    for (const id of [sent, lost]) await driveTo(api, id, 'completing');
    // The dead worker had sent the first one; the second never left.
    await fetch(`${acquirer.url}/v1/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'idempotency-key': `diapason-completion-${sent}` },
      body: JSON.stringify({ amountCents: 1750, currency: 'EUR', merchantReference: sent, imprint: {} }),
      signal: AbortSignal.timeout(5000),
    });
    await at(api.config.scheduler.completionLeaseMs + 1000, () => worker.tick());
    expect((await get(sent)).status).toBe('completed');
    expect((await get(lost)).status).toBe('completed');
    expect(debitsOf(sent)).toBe(1);
    expect(debitsOf(lost)).toBe(1);
  });

  it('abandons a request not acknowledged within Y after the notice', async () => {
    const d = await createDossier(api, key);
    await driveTo(api, d.id, 'payment_requested');
    await at(api.config.delays.ackTimeoutMs - 1000, () => worker.tick());
    expect((await get(d.id)).status).toBe('payment_requested');
    await at(api.config.delays.ackTimeoutMs, () => worker.tick());
    expect(await get(d.id)).toMatchObject({ status: 'not_acknowledged', categoryLabel: 'Notification non aboutie' });
  });

  it('closes an imprint past its validity as deadline exceeded, even when its debit date had come', async () => {
    const imprinted = await createDossier(api, key);
    await driveTo(api, imprinted.id, 'imprinted');
    const late = (await createDossier(api, key)).id;
    await driveTo(api, late, 'imprinted', 5000);
    await api.request('POST', `/v1/dossiers/${late}/payment-request`, { key, body: { amountCents: 1750 } });
    // Acknowledged too late: its debit would fall after the end of the imprint.
    await at(api.config.delays.imprintValidityMs - X + 3_600_000, () => driveTo(api, late, 'acknowledged'));
    await at(api.config.delays.imprintValidityMs + 2 * 3_600_000, () => worker.tick());
    expect(await get(imprinted.id)).toMatchObject({ status: 'deadline_exceeded', categoryLabel: 'Délais dépassés' });
    expect((await get(late)).status).toBe('deadline_exceeded');
    expect(debitsOf(late)).toBe(0);
  });

  it('alerts once before the deadline (margin + X), in /v1/alerts and as an event', async () => {
    const d = await createDossier(api, key);
    await driveTo(api, d.id, 'imprinted');
    const { imprintValidityMs, completionDelayMs, deadlineAlertMarginMs } = api.config.delays;
    const alertAt = imprintValidityMs - completionDelayMs - deadlineAlertMarginMs;
    await at(alertAt - 60_000, () => worker.tick());
    expect((await api.request('GET', `/v1/alerts?dossierId=${d.id}`, { key })).body.data).toEqual([]);
    await at(alertAt, () => worker.tick());
    await at(alertAt + 3_600_000, () => worker.tick());
    const alerts = (await api.request('GET', `/v1/alerts?dossierId=${d.id}`, { key })).body.data;
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({ object: 'alert', type: 'dossier.deadline_approaching', dossierId: d.id });
    expect(alerts[0].message).toMatch(/aucune demande de paiement/);
    const events = (await api.request('GET', `/v1/dossiers/${d.id}/events`, { key })).body.data;
    expect(events.filter((e: { type: string }) => e.type === 'dossier.deadline_approaching')).toHaveLength(1);
    const other = await api.createKey('CH-SANS-ALERTE');
    expect((await api.request('GET', '/v1/alerts', { key: other })).body.data).toEqual([]);
  });

  it('lets several workers run at once: each due dossier is debited exactly once', async () => {
    const { ids } = await seedDueDossiers(api.dataSource, { count: 600, refusedEvery: 25, dueAt: new Date(api.clock.now().getTime() - 1000) });
    const others = await Promise.all(
      [1, 2].map(() =>
        startWorker({ databaseUrl: api.databaseUrl, clock: api.clock, env: { ACQUIRER_URL: acquirer.url, DIAPASON_SCHEDULER_BATCH_SIZE: '50' } }),
      ),
    );
    try {
      await Promise.all([worker.tick(), ...others.map((w) => w.tick())]);
    } finally {
      await Promise.all(others.map((w) => w.close()));
    }
    const statuses: { status: string; n: string }[] = await api.dataSource.query(
      `SELECT status, count(*) AS n FROM dossier WHERE id = ANY($1) GROUP BY status ORDER BY status`,
      [ids],
    );
    expect(statuses).toEqual([
      { status: 'bank_rejected', n: '24' },
      { status: 'completed', n: '576' },
    ]);
    for (const id of ids) expect(debitsOf(id)).toBeLessThanOrEqual(1);
    expect(ids.filter((id) => debitsOf(id) === 1)).toHaveLength(576);
  });
});
