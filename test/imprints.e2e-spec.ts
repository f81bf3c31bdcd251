import { TerminalRepository } from '@diapason/persistence';
import { TerminalClient } from '@diapason/terminal-bridge';
import { ImprintRunner } from '../apps/worker/src/imprints/imprint-runner';
import { bareV2Debit, bareV3Debit } from '../simulators/terminal/bare-register';
import { TerminalSimulator, startTerminalSimulator } from '../simulators/terminal';
import { ApiHarness, SIMULATOR_TERMINAL_ENV, startApi } from './support/api-harness';
import { createDossier } from './support/fixtures';
import { runProcess, waitFor } from './support/processes';
import { WorkerHarness, startWorker } from './support/worker-harness';

const FAST = 'controlTimeoutMs=300&answerTimeoutMs=1500&retries=2';
const fast = (url: string) => `${url}${url.includes('?') ? '&' : '?'}${FAST}`;

describe('imprints through the real stack: API → bridge → serial pty / TCP → simulated terminal', () => {
  let api: ApiHarness;
  let worker: WorkerHarness;
  let sim: TerminalSimulator;
  let key: string;

  beforeAll(async () => {
    api = await startApi();
    // The bridge runs in the worker, woken by PostgreSQL notifications.
    worker = await startWorker({
      databaseUrl: api.databaseUrl,
      clock: api.clock,
      // A short lease: the heartbeat must keep a long transaction (the clock moved on) from being taken over.
      env: { DIAPASON_TERMINAL_RUNNER: 'true', DIAPASON_TERMINAL_POLL: '200ms', DIAPASON_TERMINAL_LEASE: '2s' },
    });
    sim = await startTerminalSimulator();
    key = await api.createKey('CHU-IMP');
    for (const [id, model, transport] of [
      ['TPE-V3', 'iWL280', 'v3-tcp'],
      ['TPE-V2', 'ICT250', 'v2-serial'],
    ] as const) {
      const running = await sim.add({ id, model, transport });
      const res = await api.request('POST', '/v1/terminals', {
        key,
        body: { id, label: `Guichet ${id}`, model, regieCode: 'REGIE-01', transportUrl: fast(running.transportUrl) },
      });
      expect(res.status).toBe(201);
    }
  });
  afterAll(async () => {
    await worker.close();
    await api.close();
    await sim.stop();
  });

  const control = (terminal: string, path: string, body: unknown) =>
    fetch(`${sim.controlUrl}/terminals/${terminal}/${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });

  async function imprint(terminalId: string, ceilingCents: number, dossierId?: string) {
    const id = dossierId ?? (await createDossier(api, key)).id;
    const res = await api.request('POST', `/v1/dossiers/${id}/imprints`, { key, body: { terminalId, ceilingCents } });
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({ object: 'imprint_attempt', status: 'pending', terminalId, ceilingCents });
    const dossier = await waitFor(
      async () => {
        const d = await api.request('GET', `/v1/dossiers/${id}`, { key });
        return ['pending', 'running'].includes(d.body.lastImprintAttempt?.status) ? undefined : d.body;
      },
      30_000,
      'imprint outcome',
    );
    return dossier;
  }

  describe.each(['TPE-V3', 'TPE-V2'])('on %s', (terminalId) => {
    it('records an approved imprint with masked card, authorisation, references and ITP numbers', async () => {
      const dossier = await imprint(terminalId, 5000);
      expect(dossier.status).toBe('imprinted');
      const model = terminalId === 'TPE-V3' ? 'iWL280' : 'ICT250';
      expect(dossier.imprint).toMatchObject({
        ceilingCents: 5000,
        terminalId,
        terminalModel: model,
        itp: { acceptanceServer: '107560680804', acceptancePoint: model === 'iWL280' ? '107560150803' : '107560100803' },
        recovered: false,
      });
      expect(dossier.imprint.maskedPan).toMatch(/^499999#{6}\d{4}$/);
      expect(dossier.imprint.cardExpiry).toMatch(/^20\d{2}-\d{2}$/);
      expect(dossier.imprint.authorisationNumber).toMatch(/^\d{6}$/);
      expect(dossier.imprint.acquirerReference).toMatch(/^SIM/);
      expect(new Date(dossier.imprint.validUntil).getTime() - new Date(dossier.imprint.imprintedAt).getTime()).toBe(
        api.config.delays.imprintValidityMs,
      );
      const events = await api.request('GET', `/v1/dossiers/${dossier.id}/events`, { key });
      expect(events.body.data.map((e: { type: string }) => e.type)).toEqual(['dossier.created', 'imprint.requested', 'dossier.imprinted']);
    });

    it.each([
      [5002, 'card_refused', /Carte refusée/],
      [5005, 'card_removed_or_abandoned', /carte retirée/],
      [5008, 'terminal_timeout', /n’a pas répondu/],
    ])(
      'keeps the dossier awaiting its imprint for ceiling %i (%s), with a French reason, and lets the cashier retry',
      async (ceiling, code, message) => {
        const failed = await imprint(terminalId, ceiling);
        expect(failed.status).toBe('awaiting_imprint');
        expect(failed.imprint).toBeNull();
        expect(failed.lastImprintAttempt).toMatchObject({ status: code === 'card_refused' ? 'refused' : 'failed', failureCode: code });
        expect(failed.lastImprintAttempt.failureMessage).toMatch(message);
        const events = await api.request('GET', `/v1/dossiers/${failed.id}/events`, { key });
        expect(events.body.data.at(-1)).toMatchObject({ type: 'imprint.failed', details: { reason: code } });

        const retried = await imprint(terminalId, 5000, failed.id);
        expect(retried.status).toBe('imprinted');
        const attempts = await api.request('GET', `/v1/dossiers/${failed.id}/imprints`, { key });
        expect(attempts.body.data.map((a: { status: string }) => a.status)).toEqual([code === 'card_refused' ? 'refused' : 'failed', 'approved']);
      },
    );

    it('recovers an approval whose answer was cut on the line, by asking the terminal', async () => {
      await control(terminalId, 'faults', { fault: 'disconnect_mid_frame' });
      const dossier = await imprint(terminalId, 4200);
      expect(dossier.status).toBe('imprinted');
      expect(dossier.imprint.recovered).toBe(true);
    });

    it('uses the outcome forced through the control endpoint', async () => {
      await control(terminalId, 'next-outcome', { outcome: 'refused' });
      const dossier = await imprint(terminalId, 5000);
      expect(dossier.lastImprintAttempt.failureCode).toBe('card_refused');
    });
  });

  it.each(['nak', 'bad_lrc', 'drop_byte'])('survives a %s on the serial line', async (fault) => {
    await control('TPE-V2', 'faults', { fault });
    const dossier = await imprint('TPE-V2', 3000);
    expect(dossier.status).toBe('imprinted');
  });

  it('reports an unreachable terminal and shows it in the terminal health', async () => {
    const res = await api.request('POST', '/v1/terminals', {
      key,
      body: { id: 'TPE-OFF', label: 'Débranché', model: 'ICT250', regieCode: 'REGIE-01', transportUrl: fast('tcp://127.0.0.1:1') },
    });
    expect(res.status).toBe(201);
    const dossier = await imprint('TPE-OFF', 5000);
    expect(dossier.lastImprintAttempt).toMatchObject({ status: 'failed', failureCode: 'terminal_unreachable' });
    const terminal = await api.request('GET', '/v1/terminals/TPE-OFF', { key });
    expect(terminal.body.health).toMatchObject({ status: 'error', busy: false });
  });

  it('refuses an imprint on a dossier already imprinted, while one runs, or on an unknown terminal', async () => {
    const imprinted = await imprint('TPE-V3', 5000);
    const again = await api.request('POST', `/v1/dossiers/${imprinted.id}/imprints`, { key, body: { terminalId: 'TPE-V3', ceilingCents: 100 } });
    expect(again.status).toBe(409);
    expect(again.body.currentStatus).toBe('imprinted');

    const fresh = await createDossier(api, key);
    const unknown = await api.request('POST', `/v1/dossiers/${fresh.id}/imprints`, { key, body: { terminalId: 'NOPE', ceilingCents: 100 } });
    expect(unknown.status).toBe(422);
    expect(unknown.body.code).toBe('unknown_terminal');
    const other = await api.createKey('CH-AUTRE');
    const foreign = await createDossier(api, other);
    const cross = await api.request('POST', `/v1/dossiers/${foreign.id}/imprints`, { key: other, body: { terminalId: 'TPE-V3', ceilingCents: 100 } });
    expect(cross.status).toBe(422);

    await control('TPE-V3', 'next-outcome', { outcome: 'no_answer' });
    const first = await api.request('POST', `/v1/dossiers/${fresh.id}/imprints`, { key, body: { terminalId: 'TPE-V3', ceilingCents: 100 } });
    expect(first.status).toBe(202);
    const second = await api.request('POST', `/v1/dossiers/${fresh.id}/imprints`, { key, body: { terminalId: 'TPE-V3', ceilingCents: 100 } });
    expect(second.status).toBe(409);
    expect(second.body.code).toBe('imprint_in_progress');
    await worker.app.get(ImprintRunner).idle();
    for (const bad of [{ terminalId: 'TPE-V3', ceilingCents: 0 }, { terminalId: 'TPE-V3', ceilingCents: '50' }, { ceilingCents: 50 }]) {
      expect((await api.request('POST', `/v1/dossiers/${fresh.id}/imprints`, { key, body: bad })).status).toBe(400);
    }
  });

  it('stores and logs no card number: only masked PANs', async () => {
    const rows: { t: string }[] = await api.dataSource.query(
      `SELECT row_to_json(x)::text AS t FROM (SELECT * FROM imprint_attempt) x
       UNION ALL SELECT row_to_json(e)::text FROM dossier_event e
       UNION ALL SELECT row_to_json(d)::text FROM dossier d`,
    );
    expect(rows.length).toBeGreaterThan(10);
    for (const { t } of rows) expect(t).not.toMatch(/\d{13,19}/);
  });

  it('runs 50 terminals transacting at once', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 50; i += 1) {
      const id = `TPE-50-${i}`;
      const running = await sim.add({ id, model: i % 2 ? 'ICT250' : 'iWL280', transport: i % 10 === 0 ? 'v2-serial' : 'v3-tcp', answerDelayMs: 200 });
      await api.request('POST', '/v1/terminals', {
        key,
        body: { id, label: id, model: running.spec.model, regieCode: 'REGIE-01', transportUrl: fast(running.transportUrl) },
      });
      ids.push(id);
    }
    const dossiers = await Promise.all(ids.map(() => createDossier(api, key)));
    // How many terminals transact at the same moment, sampled while the imprints run.
    let mostAtOnce = 0;
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        const [{ n }] = await api.dataSource.query(`SELECT count(*)::int AS n FROM imprint_attempt WHERE status = 'running'`);
        mostAtOnce = Math.max(mostAtOnce, n);
        await new Promise((r) => setTimeout(r, 20));
      }
    })();
    const answers = await Promise.all(
      dossiers.map((d, i) => api.request('POST', `/v1/dossiers/${d.id}/imprints`, { key, body: { terminalId: ids[i], ceilingCents: 6000 } })),
    );
    expect(answers.every((a) => a.status === 202)).toBe(true);
    await waitFor(
      async () => {
        const list = await api.request('GET', '/v1/dossiers?status=imprinted&limit=100', { key });
        const imprinted = new Set(list.body.data.map((d: { id: string }) => d.id));
        return dossiers.every((d) => imprinted.has(d.id)) ? true : undefined;
      },
      30_000,
      '50 imprints',
    );
    sampling = false;
    await sampler;
    // Each terminal takes 200 ms to answer: they were running side by side, not one after another.
    expect(mostAtOnce).toBeGreaterThanOrEqual(10);
    for (const id of ids) {
      const ledger = (await (await fetch(`${sim.controlUrl}/terminals/${id}/transactions`)).json()) as { data: unknown[] };
      expect(ledger.data).toHaveLength(1);
    }
  });

  it('takes over an attempt whose bridge died, and learns its outcome from the terminal', async () => {
    const dossier = await createDossier(api, key);
    const terminal = (await api.dataSource.query(`SELECT id FROM terminal WHERE code = 'TPE-V3'`))[0].id as string;
    // The dead bridge had sent the transaction: the terminal approved it, nobody recorded it.
    const running = sim.terminals.get('TPE-V3')!;
    await new TerminalClient('iWL280', running.transportUrl).imprint(4500, 'DEADBRIDGE');
    await api.dataSource.query(
      `INSERT INTO imprint_attempt (id, dossier_id, establishment_id, terminal_id, ceiling_cents, status, reference, requested_at,
                                    started_at, lease_until, runner)
       SELECT gen_random_uuid(), d.id, d.establishment_id, $2, 4500, 'running', 'DEADBRIDGE', '2000-01-01', '2000-01-01', '2000-01-01', 'dead'
         FROM dossier d WHERE d.id = $1`,
      [dossier.id, terminal],
    );
    worker.app.get(ImprintRunner).wake();
    const done = await waitFor(
      async () => {
        const d = await api.request('GET', `/v1/dossiers/${dossier.id}`, { key });
        return d.body.status === 'imprinted' ? d.body : undefined;
      },
      15_000,
      'takeover',
    );
    expect(done.imprint).toMatchObject({ ceilingCents: 4500, recovered: true });
  });

  describe('leases: short, renewed while the transaction runs, taken over without a second imprint', () => {
    // Budget of a transaction on this terminal (transactionBudgetMs): 500 + 200 + 2500 + 3000 ms.
    const SLOW = 'controlTimeoutMs=100&answerTimeoutMs=2500&retries=0&connectTimeoutMs=500';
    let terminalId: string;
    const referenceOf = async (attemptId: string): Promise<string> =>
      (await api.dataSource.query(`SELECT reference FROM imprint_attempt WHERE id = $1`, [attemptId]))[0].reference;
    const ledger = async () =>
      ((await (await fetch(`${sim.controlUrl}/terminals/TPE-SLOW/transactions`)).json()) as { data: { reference: string }[] }).data;

    beforeAll(async () => {
      const running = await sim.add({ id: 'TPE-SLOW', model: 'iWL280', transport: 'v3-tcp' });
      const res = await api.request('POST', '/v1/terminals', {
        key,
        body: { id: 'TPE-SLOW', label: 'Guichet lent', model: 'iWL280', regieCode: 'REGIE-01', transportUrl: `${running.transportUrl}?${SLOW}` },
      });
      expect(res.status).toBe(201);
      terminalId = (await api.dataSource.query(`SELECT id FROM terminal WHERE code = 'TPE-SLOW'`))[0].id;
    });
    afterEach(() => {
      sim.terminals.get('TPE-SLOW')!.terminal.answerDelayMs = 0;
    });

    it('keeps a transaction longer than the lease to its bridge (heartbeat), the terminal busy all along', async () => {
      sim.terminals.get('TPE-SLOW')!.terminal.answerDelayMs = 2000;
      const dossier = await createDossier(api, key);
      const asked = await api.request('POST', `/v1/dossiers/${dossier.id}/imprints`, { key, body: { terminalId: 'TPE-SLOW', ceilingCents: 5000 } });
      expect(asked.status).toBe(202);
      const repository = api.app.get(TerminalRepository);
      const takenOver: unknown[] = [];
      let busyAll = true;
      // The clock runs three times faster than the patient: the 2 s lease lapses many times over
      // unless it is renewed. Another bridge looks for stale attempts all along.
      const done = await waitFor(
        async () => {
          const [attempt] = await api.dataSource.query(`SELECT status FROM imprint_attempt WHERE id = $1`, [asked.body.id]);
          if (attempt.status !== 'pending' && attempt.status !== 'running') return attempt;
          const now = api.clock.advance(300);
          if (attempt.status === 'running') {
            const [t] = await api.dataSource.query(`SELECT busy_until FROM terminal WHERE id = $1`, [terminalId]);
            busyAll &&= t.busy_until !== null && t.busy_until > now;
            takenOver.push(...(await repository.claimStale('elsewhere', 'other-bridge', now, 2000, 20)));
          }
          await new Promise((r) => setTimeout(r, 100));
          return undefined;
        },
        15_000,
        'slow imprint',
      );
      expect(takenOver).toEqual([]);
      expect(busyAll).toBe(true);
      expect(done.status).toBe('approved');
      const after = await api.request('GET', `/v1/dossiers/${dossier.id}`, { key });
      expect(after.body.imprint).toMatchObject({ recovered: false });
      const reference = await referenceOf(asked.body.id);
      expect((await ledger()).filter((t) => t.reference === reference)).toHaveLength(1);
    });

    it('takes over a dead bridge’s attempt with the terminal busy, and asks only once the transaction has ended', async () => {
      // The dead bridge sent its transaction a moment ago: the patient is still at the terminal.
      sim.terminals.get('TPE-SLOW')!.terminal.answerDelayMs = 1500;
      const first = await createDossier(api, key);
      const inFlight = new TerminalClient('iWL280', `${sim.terminals.get('TPE-SLOW')!.transportUrl}?${SLOW}`).imprint(4500, 'DEADSLOW');
      const [{ id: attemptId }] = await api.dataSource.query(
        `INSERT INTO imprint_attempt (id, dossier_id, establishment_id, terminal_id, ceiling_cents, status, reference, requested_at,
                                      started_at, lease_until, runner)
         SELECT gen_random_uuid(), d.id, d.establishment_id, $2, 4500, 'running', 'DEADSLOW', $3, $3, '2000-01-01', 'dead'
           FROM dossier d WHERE d.id = $1 RETURNING id`,
        [first.id, terminalId, api.clock.now()],
      );
      await api.dataSource.query(`UPDATE terminal SET busy_until = '2000-01-01', busy_with = $2 WHERE id = $1`, [terminalId, attemptId]);
      // Another imprint queued on the same terminal meanwhile.
      const second = await createDossier(api, key);
      const queued = await api.request('POST', `/v1/dossiers/${second.id}/imprints`, { key, body: { terminalId: 'TPE-SLOW', ceilingCents: 5000 } });
      expect(queued.status).toBe(202);
      worker.app.get(ImprintRunner).wake();
      let overlapped = false;
      let busyWithTakeover = false;
      const firstDone = await waitFor(
        async () => {
          const rows: { id: string; status: string }[] = await api.dataSource.query(`SELECT id, status FROM imprint_attempt WHERE id = ANY($1)`, [
            [attemptId, queued.body.id],
          ]);
          const status = new Map(rows.map((r) => [r.id, r.status]));
          const [t] = await api.dataSource.query(`SELECT busy_with FROM terminal WHERE id = $1`, [terminalId]);
          if (status.get(attemptId) === 'running') {
            busyWithTakeover ||= t.busy_with === attemptId;
            overlapped ||= status.get(queued.body.id) !== 'pending';
            await new Promise((r) => setTimeout(r, 50));
            return undefined;
          }
          return status.get(attemptId);
        },
        20_000,
        'takeover',
      );
      await inFlight;
      expect(firstDone).toBe('approved');
      expect(busyWithTakeover).toBe(true);
      expect(overlapped).toBe(false);
      const d1 = await api.request('GET', `/v1/dossiers/${first.id}`, { key });
      expect(d1.body).toMatchObject({ status: 'imprinted', imprint: { ceilingCents: 4500, recovered: true } });
      await waitFor(
        async () => ((await api.request('GET', `/v1/dossiers/${second.id}`, { key })).body.status === 'imprinted' ? true : undefined),
        15_000,
        'queued imprint',
      );
      // One transaction each: the takeover asked, it did not imprint again.
      const references = ['DEADSLOW', await referenceOf(queued.body.id)];
      expect((await ledger()).filter((t) => references.includes(t.reference))).toHaveLength(2);
    });
  });

  it('answers an ordinary Concert cash register (plain debit), over TCP and over the serial line', async () => {
    const tcp = sim.terminals.get('TPE-V3')!;
    const url = new URL(tcp.transportUrl);
    const v3 = await bareV3Debit(url.hostname, Number(url.port), 1250);
    expect(v3.get('AE')).toBe('10');
    expect(v3.get('CB')).toBe('1250');
    expect(v3.get('AA')).toMatch(/^\d{6}#+\d{4}$/);

    const serial = await sim.add({ id: 'TPE-BARE', model: 'ICT250', transport: 'v2-serial' });
    const v2 = await bareV2Debit(decodeURIComponent(new URL(serial.transportUrl).pathname), 1250);
    expect(v2.data).toHaveLength(25); // the bare register asked for the short answer (flag 0)
    expect(v2.data.slice(2, 3)).toBe('0');
    expect(v2.data.slice(3, 11)).toBe('00001250');
  });

  describe('terminal registry and deployment check', () => {
    it('validates terminal declarations', async () => {
      const bad = await api.request('POST', '/v1/terminals', {
        key,
        body: { id: 'X1', label: 'x', model: 'ICT999', regieCode: 'R', transportUrl: 'ftp://nowhere' },
      });
      expect(bad.status).toBe(400);
      expect(bad.body.errors.map((e: { field: string }) => e.field)).toContain('model');
      const badUrl = await api.request('POST', '/v1/terminals', {
        key,
        body: { id: 'X1', label: 'x', model: 'ICT250', regieCode: 'R', transportUrl: 'ftp://nowhere' },
      });
      expect(badUrl.status).toBe(400);
      expect(badUrl.body.errors[0].field).toBe('transportUrl');
      const dup = await api.request('POST', '/v1/terminals', {
        key,
        body: { id: 'TPE-V3', label: 'x', model: 'ICT250', regieCode: 'R', transportUrl: 'tcp://127.0.0.1:9' },
      });
      expect(dup.status).toBe(409);
      const list = await api.request('GET', '/v1/terminals', { key });
      expect(list.body.data.map((t: { id: string }) => t.id)).toEqual(expect.arrayContaining(['TPE-V2', 'TPE-V3']));
      const other = await api.createKey('CH-VIDE');
      expect((await api.request('GET', '/v1/terminals', { key: other })).body.data).toEqual([]);
      expect((await api.request('GET', '/v1/terminals/TPE-V3', { key: other })).status).toBe(404);
    });

    it('checks a working terminal over the API, without moving money', async () => {
      const before = ((await (await fetch(`${sim.controlUrl}/terminals/TPE-V2/transactions`)).json()) as { data: unknown[] }).data.length;
      const res = await api.request('POST', '/v1/terminals/TPE-V2/check', { key });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ ok: true, terminalId: 'TPE-V2', model: 'ICT250', problems: [] });
      expect(res.body.latencyMs).toBeGreaterThanOrEqual(0);
      const after = ((await (await fetch(`${sim.controlUrl}/terminals/TPE-V2/transactions`)).json()) as { data: unknown[] }).data.length;
      expect(after).toBe(before);
    });

    it('explains a terminal that is not in cash-register mode, and whom to call', async () => {
      await control('TPE-V2', 'faults', { fault: 'mute' });
      try {
        const res = await api.request('POST', '/v1/terminals/TPE-V2/check', { key });
        expect(res.body.ok).toBe(false);
        expect(res.body.problems[0].cause).toMatch(/mode caisse/);
        expect(res.body.problems[0].contact).toMatch(/fournisseur du terminal/);
      } finally {
        await control('TPE-V2', 'reset', {});
      }
    });

    it('runs the same check from the command line, with a French report', async () => {
      const ok = await runProcess('dist/apps/cli/src/main.js', ['terminal:check', 'TPE-V3'], {
        DATABASE_URL: api.databaseUrl,
        LOG_LEVEL: 'silent',
        ...SIMULATOR_TERMINAL_ENV,
      });
      expect(ok.code).toBe(0);
      expect(ok.stdout).toMatch(/Résultat : terminal prêt/);
      const off = await runProcess('dist/apps/cli/src/main.js', ['terminal:check', 'TPE-OFF'], {
        DATABASE_URL: api.databaseUrl,
        LOG_LEVEL: 'silent',
        ...SIMULATOR_TERMINAL_ENV,
      });
      expect(off.code).toBe(3);
      expect(off.stdout).toMatch(/NON opérationnel/);
      expect(off.stdout).toMatch(/refuse la connexion/);
      const none = await runProcess('dist/apps/cli/src/main.js', ['terminal:check', 'NOPE'], {
        DATABASE_URL: api.databaseUrl,
        LOG_LEVEL: 'silent',
        ...SIMULATOR_TERMINAL_ENV,
      });
      expect(none.code).toBe(3);
      expect(none.stderr).toMatch(/Aucun terminal/);
    });
  });
});
