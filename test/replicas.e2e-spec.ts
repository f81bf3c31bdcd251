import { randomBytes, randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { createDataSource } from '@diapason/persistence';
import { AcquirerSimulator, startAcquirerSimulator } from '../simulators/acquirer';
import { SmsGatewaySimulator, startSmsGatewaySimulator } from '../simulators/sms-gateway';
import { SmtpSink, startSmtpSink } from '../simulators/smtp';
import { TerminalSimulator, startTerminalSimulator } from '../simulators/terminal';
import { SIMULATOR_TERMINAL_ENV } from './support/api-harness';
import { freshDatabase } from './support/fresh-database';
import { LoadBalancer, startLoadBalancer } from './support/load-balancer';
import { Started, runProcess, startProcess, waitFor } from './support/processes';
import { freePort } from './support/test-database';
import { ReceivedEvent, WebhookReceiver, chosen, startWebhookReceiver } from './support/webhook-receiver';

/** `REPLICA_DOSSIERS=2000 npm test -- test/replicas` scales the run. */
const DOSSIERS = Number(process.env.REPLICA_DOSSIERS ?? 300);
const APIS = 2;
const WORKERS = 3;
const TERMINALS = 8;
/**
 * Workers that run the terminal bridge, the killed one (the last) included when it is 3. A bridge
 * killed mid-transaction frees its terminal when its short lease lapses (DIAPASON_TERMINAL_LEASE,
 * renewed while a transaction runs); another bridge takes the attempt over and asks the terminal.
 */
const BRIDGES = Number(process.env.REPLICA_BRIDGES ?? 3);
/** Dossiers the simulated GAP drives at the same time. */
const GAP_CONCURRENCY = 24;
/** Leases of the workers, short so that what the killed worker held is taken over soon. */
const OUTBOX_LEASE = '5s';
const TERMINAL_LEASE = '5s';
/**
 * X and Y, shortened so that the whole lifecycle fits in the run. Y stays well above the outbox
 * lease: a fallback e-mail claimed by the worker that is killed waits that long before another
 * worker sends it, and Y runs from the first notice. With a shorter Y such a dossier would be
 * abandoned although its patient was never told (harmless with the real Y, days).
 * X leaves the GAP time to cancel right after its payment request, before the debit starts.
 */
const COMPLETION_DELAY = '8s';
const ACK_TIMEOUT = '25s';
const TWILIO = { sid: 'ACreplicas00000000000000000000000', token: 'replicas-auth-token-0123456789abcd' };
const UNDELIVERED_PHONE = '06 39 98 00 00';

type Scenario =
  | 'completed_sms'
  | 'completed_email'
  | 'completed_fallback'
  | 'imprint_retry'
  | 'bank_refused'
  | 'abandoned'
  | 'notification_failed'
  | 'cancelled_early'
  | 'cancelled_late';

/** One cycle of 50 dossiers; most complete, the others end every other way. */
const MIX: [Scenario, number][] = [
  ['completed_sms', 28],
  ['completed_email', 3],
  ['completed_fallback', 3],
  ['imprint_retry', 3],
  ['bank_refused', 3],
  ['abandoned', 3],
  ['notification_failed', 1],
  ['cancelled_early', 3],
  ['cancelled_late', 3],
];
const CYCLE = MIX.flatMap(([scenario, n]) => Array.from({ length: n }, () => scenario));
// Spread each scenario over the run rather than in blocks.
const SPREAD = CYCLE.map((_, i) => CYCLE[(i * 17) % CYCLE.length]);

const FINAL_STATUS: Record<Scenario, string> = {
  completed_sms: 'completed',
  completed_email: 'completed',
  completed_fallback: 'completed',
  imprint_retry: 'completed',
  bank_refused: 'bank_rejected',
  abandoned: 'not_acknowledged',
  notification_failed: 'notification_failed',
  cancelled_early: 'cancelled',
  cancelled_late: 'cancelled',
};

/** Messages the providers must hold for the dossier: SMS at the gateway, e-mails at the SMTP server. */
const NOTICES: Record<Scenario, { sms: number; email: number }> = {
  completed_sms: { sms: 1, email: 0 },
  completed_email: { sms: 0, email: 1 },
  completed_fallback: { sms: 1, email: 1 },
  imprint_retry: { sms: 1, email: 0 },
  bank_refused: { sms: 1, email: 0 },
  abandoned: { sms: 0, email: 1 },
  // The SMS is not delivered; the e-mail is refused at RCPT, so the SMTP server keeps nothing.
  notification_failed: { sms: 1, email: 0 },
  cancelled_early: { sms: 0, email: 0 },
  // Cancelled right after the payment request: the SMS may have left first, or not (≤ 1).
  cancelled_late: { sms: 1, email: 0 },
};

/** The status changes of the journal, in order (one `dossier.*` event per transition). */
const PATH: Record<Scenario, string[]> = {
  completed_sms: ['created', 'imprinted', 'payment_requested', 'acknowledged', 'completing', 'completed'],
  completed_email: ['created', 'imprinted', 'payment_requested', 'acknowledged', 'completing', 'completed'],
  completed_fallback: ['created', 'imprinted', 'payment_requested', 'acknowledged', 'completing', 'completed'],
  imprint_retry: ['created', 'imprinted', 'payment_requested', 'acknowledged', 'completing', 'completed'],
  bank_refused: ['created', 'imprinted', 'payment_requested', 'acknowledged', 'completing', 'bank_rejected'],
  abandoned: ['created', 'imprinted', 'payment_requested', 'not_acknowledged'],
  notification_failed: ['created', 'imprinted', 'payment_requested', 'notification_failed'],
  cancelled_early: ['created', 'cancelled'],
  cancelled_late: ['created', 'imprinted', 'payment_requested', 'cancelled'],
};

interface Planned {
  index: number;
  scenario: Scenario;
  id?: string;
}

function patientOf(i: number, scenario: Scenario): Record<string, string> {
  const phone = `06 39 98 ${String(1 + (i % 9998))
    .padStart(4, '0')
    .replace(/(\d\d)(\d\d)/, '$1 $2')}`;
  const name = { lastName: 'Replique', firstName: `Patient ${i}` };
  switch (scenario) {
    case 'completed_email':
      return { ...name, email: `patient-${i}@example.test` };
    case 'abandoned':
      return { ...name, email: `patient-${i}@noopen.test` };
    case 'completed_fallback':
      return { ...name, phone: UNDELIVERED_PHONE, email: `patient-${i}@example.test` };
    case 'notification_failed':
      return { ...name, phone: UNDELIVERED_PHONE, email: `patient-${i}@bounce.test` };
    default:
      return { ...name, phone, email: `patient-${i}@example.test` };
  }
}

/** An amount under the 50 € ceiling; cents 51 and 54 are refused by the bank, and only those. */
function amountOf(i: number, scenario: Scenario): number {
  if (scenario === 'bank_refused') return i % 2 === 0 ? 1751 : 2254;
  return 1000 + (i % 30) * 100 + (i % 50);
}

async function pool<T>(items: T[], concurrency: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < items.length) await work(items[next++]);
    }),
  );
}

/**
 * Issue 14 point 6: two api and three worker processes on one PostgreSQL, behind a load balancer,
 * while one api and one worker are killed with SIGKILL and restarted. A simulated GAP drives a few
 * hundred dossiers through the whole lifecycle (creation, imprint on simulated terminals, payment
 * request, SMS / e-mail notice, acknowledgment, debit X later) with every ending mixed in; then
 * every dossier must have ended right, with one debit in the acquirer's ledger, one notice per
 * channel at the providers and one event per transition at the GAP's webhook endpoint.
 *
 * Webhooks are delivered at least once: a delivery cut by a crash (or refused by the GAP) is sent
 * again with the same event id. The contract is one *event* (one id) per journal entry, the GAP
 * deduplicating by id; the raw number of deliveries is reported beside it.
 */
describe('multi-replica: 2 api + 3 workers, one of each killed mid-run', () => {
  let database: { url: string; drop(): Promise<void> };
  let dataSource: DataSource;
  let acquirer: AcquirerSimulator;
  let sms: SmsGatewaySimulator;
  let smtp: SmtpSink;
  let terminals: TerminalSimulator;
  let receiver: WebhookReceiver;
  let lb: LoadBalancer;
  const apis: Started[] = [];
  const workers: Started[] = [];

  beforeAll(async () => {
    database = await freshDatabase();
    dataSource = createDataSource({ url: database.url, poolSize: 2 });
    await dataSource.initialize();
    acquirer = await startAcquirerSimulator({
      latencyMs: 2,
      failureRates: { timeout: 0.01, error_5xx: 0.02, drop_after_commit: 0.02 },
    });
    sms = await startSmsGatewaySimulator({ accountSid: TWILIO.sid, authToken: TWILIO.token, deliveryDelayMs: 150 });
    smtp = await startSmtpSink({ openDelayMs: 200 });
    terminals = await startTerminalSimulator();
    // The GAP refuses the first delivery of about 3 % of the events: those are delivered again.
    receiver = await startWebhookReceiver({ refuseFirstAttemptOf: (id) => chosen(id, 0.03) });
  });

  afterAll(async () => {
    for (const p of [...apis, ...workers]) if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGKILL');
    await Promise.all([...apis, ...workers].map((p) => p.exited));
    await lb?.stop();
    await receiver?.stop();
    await terminals?.stop();
    await smtp?.stop();
    await sms?.stop();
    await acquirer?.stop();
    await dataSource?.destroy();
    await database?.drop();
  });

  it(`drives ${DOSSIERS} dossiers to the right end, each debited, notified and reported once`, async () => {
    const started = Date.now();
    const elapsed = () => `${((Date.now() - started) / 1000).toFixed(1)} s`;
    const ports = await Promise.all(Array.from({ length: APIS }, () => freePort()));
    lb = await startLoadBalancer(ports.map((p) => `http://127.0.0.1:${p}`));

    const shared = {
      // The simulated terminals and the webhook receiver are on the loopback: allowed explicitly, as in every test.
      ...SIMULATOR_TERMINAL_ENV,
      DIAPASON_WEBHOOK_ALLOWED_NETWORKS: '127.0.0.1/32',
      NODE_ENV: 'test',
      LOG_LEVEL: 'error',
      DATABASE_URL: database.url,
      DATABASE_POOL_SIZE: '6',
      DIAPASON_PUBLIC_URL: lb.url,
      DIAPASON_TOKEN_SECRET: 'replicas-secret-0123456789abcdef-0123456789',
      DIAPASON_COMPLETION_DELAY: COMPLETION_DELAY,
      DIAPASON_ACK_TIMEOUT: ACK_TIMEOUT,
      TWILIO_ACCOUNT_SID: TWILIO.sid,
      TWILIO_AUTH_TOKEN: TWILIO.token,
      TWILIO_FROM: 'CHREPLIC',
      TWILIO_API_BASE_URL: sms.url,
      SMTP_URL: smtp.smtpUrl,
      MAIL_FROM: 'CH des répliques <ne-pas-repondre@replicas.test>',
    };
    const launchApi = (i: number) => startProcess('dist/apps/api/src/main.js', [], { ...shared, HOST: '127.0.0.1', PORT: String(ports[i]) });
    const launchWorker = (i: number) =>
      startProcess('dist/apps/worker/src/main.js', [], {
        ...shared,
        // No HTTP listener: three workers on one machine (and other suites' workers) would share its port.
        DIAPASON_WORKER_PORT: '0',
        ACQUIRER_URL: acquirer.url,
        DIAPASON_ACQUIRER_TIMEOUT: '1s',
        DIAPASON_COMPLETION_LEASE: '3s',
        DIAPASON_SCHEDULER_CRON: '* * * * * *',
        DIAPASON_SCHEDULER_BATCH_SIZE: '25',
        DIAPASON_WEBHOOK_TIMEOUT: '2s',
        DIAPASON_TERMINAL_RUNNER: i < BRIDGES ? 'true' : 'false',
        DIAPASON_TERMINAL_POLL: '200ms',
        DIAPASON_TERMINAL_LEASE: TERMINAL_LEASE,
        DIAPASON_OUTBOX_LEASE: OUTBOX_LEASE,
      });
    const healthy = (i: number) =>
      waitFor(async () => ((await fetch(`http://127.0.0.1:${ports[i]}/health`)).ok ? true : undefined), 30_000, `api ${i} health`);

    const created = await runProcess(
      'dist/apps/cli/src/main.js',
      ['api-key:create', 'CH-REPLICAS', '--name', 'CH des répliques', '--scopes', 'dossiers,terminals,webhooks'],
      shared,
    );
    expect(created.code).toBe(0);
    const key = created.stdout.trim();

    for (let i = 0; i < APIS; i += 1) apis.push(launchApi(i));
    for (let i = 0; i < WORKERS; i += 1) workers.push(launchWorker(i));
    await Promise.all(apis.map((_, i) => healthy(i)));

    // ---- the GAP: spreads its calls over both apis (the load balancer) and retries -----------
    const stats = { requests: 0, retries: 0 };
    const gap = async (method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> => {
      // One key per operation: a retry after a cut connection replays, never repeats.
      const idempotencyKey = method === 'POST' ? randomUUID() : undefined;
      const deadline = Date.now() + 30_000;
      for (;;) {
        stats.requests += 1;
        try {
          const res = await fetch(`${lb.url}${path}`, {
            method,
            headers: {
              authorization: `Bearer ${key}`,
              ...(body === undefined ? {} : { 'content-type': 'application/json' }),
              ...(idempotencyKey ? { 'idempotency-key': idempotencyKey } : {}),
            },
            body: body === undefined ? undefined : JSON.stringify(body),
            signal: AbortSignal.timeout(15_000),
          });
          const text = await res.text();
          if (res.status !== 502 && res.status !== 503) return { status: res.status, body: text ? JSON.parse(text) : null };
        } catch {
          // connection cut: retried below
        }
        if (Date.now() > deadline) throw new Error(`${method} ${path}: no api answered for 30 s`);
        stats.retries += 1;
        await new Promise((r) => setTimeout(r, 100));
      }
    };
    const expectStatus = (res: { status: number; body: unknown }, status: number, what: string) => {
      if (res.status !== status) throw new Error(`${what}: HTTP ${res.status} ${JSON.stringify(res.body)}`);
      return res.body as any;
    };

    expectStatus(
      await gap('PUT', '/v1/regies/REGIE-01', { name: 'Régie des répliques', phone: '01 99 00 12 34', email: 'regie@replicas.test' }),
      200,
      'regie',
    );
    expectStatus(await gap('POST', '/v1/webhook-endpoints', { url: receiver.url, secret: receiver.secret }), 201, 'webhook endpoint');
    for (let t = 0; t < TERMINALS; t += 1) {
      const running = await terminals.add({ id: `TPE-R${t}`, model: 'iWL280', transport: 'v3-tcp' });
      expectStatus(
        await gap('POST', '/v1/terminals', {
          id: `TPE-R${t}`,
          label: `Terminal ${t}`,
          model: 'iWL280',
          regieCode: 'REGIE-01',
          transportUrl: `${running.transportUrl}?controlTimeoutMs=500&answerTimeoutMs=3000&connectTimeoutMs=1000&retries=2`,
        }),
        201,
        'terminal',
      );
    }

    /** The outcome of one imprint attempt, told by webhook, checked on the dossier (or polled). */
    const imprintOutcome = async (id: string, attemptId: string) => {
      const deadline = Date.now() + 60_000;
      while (Date.now() < deadline) {
        await receiver.next(id, (e: ReceivedEvent) => e.type === 'dossier.imprinted' || e.details.attemptId === attemptId, 2_000);
        const dossier = expectStatus(await gap('GET', `/v1/dossiers/${id}`), 200, 'dossier');
        const attempt = dossier.lastImprintAttempt;
        // The dossier and its attempts are read by two queries: an approval may show on the attempt
        // a moment before the dossier's status.
        const ended = attempt?.id === attemptId && !['pending', 'running'].includes(attempt.status);
        if (ended && (attempt.status !== 'approved' || dossier.status !== 'awaiting_imprint')) return dossier;
      }
      throw new Error(`imprint ${attemptId} of ${id}: no outcome in 60 s`);
    };

    const run = randomBytes(3).toString('hex');
    // The dossiers left without acknowledgment go first: their Y then runs while the others are driven.
    const plan: Planned[] = Array.from({ length: DOSSIERS }, (_, index) => ({ index, scenario: SPREAD[index % SPREAD.length] })).sort(
      (a, b) => Number(b.scenario === 'abandoned') - Number(a.scenario === 'abandoned'),
    );
    const progress = { paid: 0, journeys: 0 };
    const journey = async (p: Planned) => {
      const { index: i, scenario } = p;
      const dossier = expectStatus(
        await gap('POST', '/v1/dossiers', {
          gapDossierNumber: `RPL-${run}-${i}`,
          regieCode: 'REGIE-01',
          patient: patientOf(i, scenario),
          admissionDate: '2026-11-20',
        }),
        201,
        'creation',
      );
      p.id = dossier.id;
      if (scenario === 'cancelled_early') {
        expectStatus(await gap('POST', `/v1/dossiers/${p.id}/cancel`, { reason: 'gap_decision' }), 200, 'early cancel');
        return;
      }
      const terminalId = `TPE-R${i % TERMINALS}`;
      // Refused card (cents 02) or card removed (05) first, then the cashier tries again.
      const ceilings = scenario === 'imprint_retry' ? [i % 2 === 0 ? 5002 : 5005, 5000] : [5000];
      for (const [n, ceilingCents] of ceilings.entries()) {
        const attempt = expectStatus(await gap('POST', `/v1/dossiers/${p.id}/imprints`, { terminalId, ceilingCents }), 202, 'imprint');
        const after = await imprintOutcome(p.id!, attempt.id);
        const last = n === ceilings.length - 1;
        if (after.status !== (last ? 'imprinted' : 'awaiting_imprint')) {
          throw new Error(`imprint ${ceilingCents} of ${p.id}: ${after.status} ${JSON.stringify(after.lastImprintAttempt)}`);
        }
      }
      expectStatus(await gap('POST', `/v1/dossiers/${p.id}/payment-request`, { amountCents: amountOf(i, scenario) }), 200, 'payment request');
      progress.paid += 1;
      if (scenario === 'cancelled_late') {
        expectStatus(await gap('POST', `/v1/dossiers/${p.id}/cancel`, { reason: 'patient_choice' }), 200, 'late cancel');
      }
    };

    // ---- chaos: one api, then one worker, killed with SIGKILL and restarted -----------------
    const chaosLog: string[] = [];
    const payers = plan.filter((p) => p.scenario !== 'cancelled_early').length;
    let aborted = false;
    const until = async (condition: () => boolean) => {
      await waitFor(async () => (aborted || condition() ? true : undefined), 120_000, 'chaos point');
      if (aborted) throw new Error('run aborted');
    };
    // The worker first: what it had claimed (outbox items, imprints) waits out its lease before
    // another worker takes it over.
    const chaos = (async () => {
      await until(() => progress.paid >= payers * 0.12);
      workers[2].child.kill('SIGKILL');
      await workers[2].exited;
      chaosLog.push(`worker 3 killed at ${elapsed()} (${progress.paid} payment requests)`);
      await new Promise((r) => setTimeout(r, 500));
      workers[2] = launchWorker(2);
      chaosLog.push(`worker 3 restarted at ${elapsed()}`);
      await until(() => progress.paid >= payers * 0.45);
      apis[1].child.kill('SIGKILL');
      await apis[1].exited;
      chaosLog.push(`api 2 killed at ${elapsed()} (${progress.paid} payment requests)`);
      await new Promise((r) => setTimeout(r, 500));
      apis[1] = launchApi(1);
      await healthy(1);
      chaosLog.push(`api 2 back at ${elapsed()}`);
    })();

    try {
      await pool(plan, GAP_CONCURRENCY, async (p) => {
        await journey(p);
        progress.journeys += 1;
      });
    } catch (error) {
      aborted = true;
      await chaos.catch(() => undefined);
      throw error;
    }
    await chaos;
    const driven = elapsed();
    const ids = plan.map((p) => p.id!);

    // ---- every dossier reaches its final status --------------------------------------------
    const openCount = async () =>
      Number((await dataSource.query(`SELECT count(*) AS n FROM dossier WHERE id = ANY($1) AND closed_at IS NULL`, [ids]))[0].n);
    try {
      await waitFor(async () => ((await openCount()) === 0 ? true : undefined), 150_000, 'every dossier final');
    } catch (error) {
      const stuck: unknown[] = await dataSource.query(
        `SELECT d.id, d.status, d.notice_sent_at, d.ack_due_at, d.completion_due_at,
                (SELECT json_agg(json_build_object('channel', n.channel, 'status', n.status)) FROM notice n WHERE n.dossier_id = d.id) AS notices
           FROM dossier d WHERE d.id = ANY($1) AND d.closed_at IS NULL LIMIT 20`,
        [ids],
      );
      process.stdout.write(`stuck dossiers: ${JSON.stringify(stuck, null, 1)}\n`);
      throw error;
    }
    const finished = elapsed();

    // ---- every journal event reaches the GAP (delivered, possibly more than once) -----------
    const journalCount = async () =>
      Number((await dataSource.query(`SELECT count(*) AS n FROM dossier_event WHERE dossier_id = ANY($1)`, [ids]))[0].n);
    await waitFor(
      async () => {
        const pending = Number((await dataSource.query(`SELECT count(*) AS n FROM webhook_delivery WHERE status <> 'delivered'`))[0].n);
        return pending === 0 && receiver.events.size === (await journalCount()) ? true : undefined;
      },
      60_000,
      'every webhook delivered',
    );

    // ---- checks ------------------------------------------------------------------------------
    const rows: { id: string; status: string; completion_key: string | null; ref: string | null; amount_cents: number | null }[] =
      await dataSource.query(
        `SELECT id, status, completion_key, acquirer_transaction_reference AS ref, amount_cents FROM dossier WHERE id = ANY($1)`,
        [ids],
      );
    const byId = new Map(rows.map((r) => [r.id, r]));
    const journal: { id: string; dossier_id: string; type: string }[] = await dataSource.query(
      `SELECT e.id::text AS id, e.dossier_id, e.type FROM dossier_event e WHERE e.dossier_id = ANY($1) ORDER BY e.id`,
      [ids],
    );
    const notices: { id: string; dossier_id: string; channel: 'sms' | 'email'; status: string }[] = await dataSource.query(
      `SELECT id, dossier_id, channel, status FROM notice WHERE dossier_id = ANY($1)`,
      [ids],
    );
    const noticeOf = new Map(notices.map((n) => [n.id, n]));
    // A notice the provider took is recorded sent once: provider id, sent_at, one `notice.sent`, the dossier's clock.
    const unrecorded: { id: string; dossier_id: string; sent_at: Date | null; entries: number; notice_sent_at: Date | null }[] =
      await dataSource.query(
        `SELECT n.id, n.dossier_id, n.sent_at, d.notice_sent_at,
                (SELECT count(*) FROM dossier_event e WHERE e.dossier_id = n.dossier_id AND e.type = 'notice.sent'
                    AND e.details->>'noticeId' = n.id::text)::int AS entries
           FROM notice n JOIN dossier d ON d.id = n.dossier_id
          WHERE n.dossier_id = ANY($1) AND (n.sent_at IS NOT NULL OR n.status IN ('delivered', 'opened') OR n.delivery_status IS NOT NULL)`,
        [ids],
      );
    const smsPerNotice = new Map<string, number>();
    for (const m of sms.messages) {
      const noticeId = new URL(m.statusCallback ?? 'http://x/').searchParams.get('notice') ?? 'unknown';
      smsPerNotice.set(noticeId, (smsPerNotice.get(noticeId) ?? 0) + 1);
    }
    const mailsPerNotice = new Map<string, number>();
    for (const m of smtp.mails) {
      const noticeId = /^<notice-(.+)@diapason>$/.exec(m.messageId ?? '')?.[1] ?? 'unknown';
      mailsPerNotice.set(noticeId, (mailsPerNotice.get(noticeId) ?? 0) + 1);
    }

    const problems: string[] = [];
    const wrong: string[] = [];
    const outcome: Record<string, number> = {};
    const ledgerByKey = new Map(acquirer.ledger.map((e) => [e.idempotencyKey, e]));
    for (const p of plan) {
      const d = byId.get(p.id!)!;
      const where = `${p.scenario} #${p.index} ${d.id}`;
      outcome[d.status] = (outcome[d.status] ?? 0) + 1;
      if (d.status !== FINAL_STATUS[p.scenario]) {
        problems.push(`${where}: status ${d.status}, expected ${FINAL_STATUS[p.scenario]}`);
        wrong.push(d.id);
      }

      // One debit for a completed dossier, of its amount; none for the others.
      const debits = d.completion_key ? (acquirer.debitsPerKey.get(d.completion_key) ?? 0) : 0;
      if (d.status === 'completed') {
        const entry = ledgerByKey.get(d.completion_key!);
        if (debits !== 1 || entry?.transactionReference !== d.ref || entry?.amountCents !== d.amount_cents) {
          problems.push(`${where}: ${debits} debit(s), ledger ${JSON.stringify(entry)} vs ${d.ref} ${d.amount_cents}`);
        }
      } else if (debits !== 0) problems.push(`${where}: ${debits} debit(s) for a ${d.status} dossier`);

      // One notice per channel at the providers, each matching a notice of the dossier.
      const mine = notices.filter((n) => n.dossier_id === d.id);
      const smsCount = mine.filter((n) => n.channel === 'sms').reduce((s, n) => s + (smsPerNotice.get(n.id) ?? 0), 0);
      // E-mails by Message-ID (one per notice): SMTP cannot be asked whether a message went out, so
      // a crash between the SMTP server's acceptance and our record sends it again, same Message-ID.
      const mailCount = mine.filter((n) => n.channel === 'email' && mailsPerNotice.has(n.id)).length;
      const expected = NOTICES[p.scenario];
      const smsOk = p.scenario === 'cancelled_late' ? smsCount <= 1 : smsCount === expected.sms;
      if (!smsOk || mailCount !== expected.email) {
        problems.push(`${where}: ${smsCount} SMS and ${mailCount} e-mail(s), expected ${expected.sms} and ${expected.email}`);
      }

      // One journal event per transition, along the scenario's path.
      const events = journal.filter((e) => e.dossier_id === d.id);
      const path = events.filter((e) => e.type.startsWith('dossier.')).map((e) => e.type.slice('dossier.'.length));
      const allowed = [PATH[p.scenario]];
      if (p.scenario === 'cancelled_late') allowed.push(['created', 'imprinted', 'payment_requested', 'acknowledged', 'cancelled']);
      if (!allowed.some((a) => a.join() === path.join())) problems.push(`${where}: journal ${path.join(' → ')}`);
      const failedImprints = events.filter((e) => e.type === 'imprint.failed').length;
      if (failedImprints !== (p.scenario === 'imprint_retry' ? 1 : 0)) problems.push(`${where}: ${failedImprints} imprint.failed`);

      // Every journal event reached the GAP under its own id; nothing else did.
      const received = receiver.eventsOf(d.id);
      const journalIds = new Set(events.map((e) => `evt_${e.id}`));
      const missing = [...journalIds].filter((id) => !receiver.events.has(id));
      const unknown = received.filter((e) => !journalIds.has(e.id));
      if (missing.length > 0 || unknown.length > 0)
        problems.push(`${where}: webhooks missing ${missing.join(',')} unknown ${unknown.map((e) => e.id).join(',')}`);
      const typesSent = received
        .filter((e) => e.type.startsWith('dossier.'))
        .map((e) => e.type)
        .sort();
      if (typesSent.length !== new Set(typesSent).size) problems.push(`${where}: two events for one transition ${typesSent.join(',')}`);
    }
    for (const n of unrecorded) {
      if (n.sent_at === null || n.entries !== 1 || n.notice_sent_at === null) {
        problems.push(
          `notice ${n.id} of ${n.dossier_id}: sent_at ${n.sent_at?.toISOString() ?? null}, ${n.entries} notice.sent, dossier notice_sent_at ${n.notice_sent_at?.toISOString() ?? null}`,
        );
      }
    }
    // Nothing reached a provider for a notice this run does not know.
    for (const [noticeId, n] of smsPerNotice) if (!noticeOf.has(noticeId)) problems.push(`${n} SMS for unknown notice ${noticeId}`);
    for (const [noticeId, n] of mailsPerNotice) if (!noticeOf.has(noticeId)) problems.push(`${n} e-mail(s) for unknown notice ${noticeId}`);

    // What was taken over or tried again: leases of the killed worker, refused or cut calls.
    const [again] = await dataSource.query(
      `SELECT (SELECT count(*) FROM outbox WHERE attempts > 1)::int AS outbox,
              (SELECT count(*) FROM webhook_delivery WHERE attempts > 1)::int AS webhooks,
              (SELECT count(*) FROM dossier WHERE id = ANY($1) AND completion_attempts > 1)::int AS debits,
              (SELECT count(*) FROM notice WHERE dossier_id = ANY($1) AND send_started_at IS NOT NULL
                  AND (provider_id IS NULL OR sent_at IS NULL) AND (status IN ('delivered', 'opened') OR delivery_status IS NOT NULL))::int
                AS notices_acknowledged_before_recorded_sent,
              (SELECT count(*) FROM notice WHERE dossier_id = ANY($1) AND status = 'sent' AND (delivered_at IS NOT NULL OR failed_at IS NOT NULL))::int
                AS notices_sent_recorded_after_receipt`,
      [ids],
    );
    const deliveries = receiver.deliveries();
    const summary = {
      dossiers: DOSSIERS,
      processes: `${APIS} api + ${WORKERS} workers (${BRIDGES} with the terminal bridge), ${TERMINALS} terminals`,
      chaos: chaosLog,
      timings: { driven, final: finished, total: elapsed() },
      outcomes: outcome,
      debits: { ledger: acquirer.ledger.length, keys: acquirer.debitsPerKey.size, maxPerKey: Math.max(0, ...acquirer.debitsPerKey.values()) },
      notices: {
        sms: sms.messages.length,
        smsNotices: smsPerNotice.size,
        emails: smtp.mails.length,
        emailNotices: mailsPerNotice.size,
        emailResentAfterCrash: smtp.mails.length - mailsPerNotice.size,
      },
      webhooks: {
        events: receiver.events.size,
        deliveries,
        duplicates: deliveries - receiver.events.size,
        refusedOnPurpose: receiver.refused(),
        badSignatures: receiver.badSignatures(),
      },
      triedAgain: again,
      gap: { requests: stats.requests, retries: stats.retries },
      loadBalancer: lb.stats,
      problems: problems.length,
    };
    // The story of the first dossiers that ended wrong, to tell a bug from a slow run.
    for (const id of wrong.slice(0, 4)) {
      const story: unknown[] = await dataSource.query(
        `SELECT to_char(at, 'HH24:MI:SS.MS') AS at, type, actor_type, details FROM dossier_event WHERE dossier_id = $1 ORDER BY id`,
        [id],
      );
      const mine = notices.filter((n) => n.dossier_id === id).map((n) => n.id);
      const callbacks = sms.messages
        .filter((m) => mine.some((n) => m.statusCallback?.includes(n)))
        .map((m) => ({ created: m.dateCreated.toISOString(), status: m.status, callbacks: m.callbacks }));
      const noticeRows = await dataSource.query(
        `SELECT channel, status, created_at, send_started_at, sent_at, failed_at FROM notice WHERE dossier_id = $1`,
        [id],
      );
      const outboxRows = await dataSource.query(
        `SELECT payload, status, attempts, created_at, done_at, last_error FROM outbox WHERE payload->>'dossierId' = $1`,
        [id],
      );
      process.stdout.write(`dossier ${id}\n${JSON.stringify({ story, noticeRows, outboxRows, callbacks }, null, 1)}\n`);
    }
    const lines = Object.entries(summary).map(([name, value]) => `  ${name}: ${JSON.stringify(value)}`);
    process.stdout.write(`\nmulti-replica run\n${[...lines, ...problems.slice(0, 40)].join('\n')}\n`);

    expect(problems).toEqual([]);
    expect(again.notices_acknowledged_before_recorded_sent).toBe(0);
    expect(chaosLog).toHaveLength(4);
    expect(receiver.badSignatures()).toBe(0);
    expect(acquirer.ledger).toHaveLength(outcome.completed);
    expect([...acquirer.debitsPerKey.values()].every((n) => n === 1)).toBe(true);
    // SMS are never sent twice: the gateway is asked before a resend.
    expect(sms.messages.length).toBe(smsPerNotice.size);
  }, 300_000);
});
