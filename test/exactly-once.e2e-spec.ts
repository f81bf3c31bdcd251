import { DataSource } from 'typeorm';
import { createDataSource } from '@diapason/persistence';
import { seedDueDossiers } from '../bench/seed';
import { AcquirerSimulator, startAcquirerSimulator } from '../simulators/acquirer';
import { freshDatabase } from './support/fresh-database';
import { Started, startProcess, waitFor } from './support/processes';

const DOSSIERS = 2000;
const WORKERS = 3;

/**
 * The money invariant under fire: several worker processes complete 2,000 due dossiers against an
 * acceptance server that times out, fails and drops answers after debiting, while the workers are
 * killed with SIGKILL at random points and restarted. Every dossier must end in a final status and
 * the acceptance server's ledger must show each one debited exactly once.
 */
describe('exactly once under SIGKILL', () => {
  let database: { url: string; drop(): Promise<void> };
  let dataSource: DataSource;
  let acquirer: AcquirerSimulator;

  beforeAll(async () => {
    database = await freshDatabase();
    dataSource = createDataSource({ url: database.url, poolSize: 2 });
    await dataSource.initialize();
    acquirer = await startAcquirerSimulator({
      latencyMs: 2,
      failureRates: { timeout: 0.02, error_5xx: 0.02, drop_after_commit: 0.03 },
    });
  });
  afterAll(async () => {
    await acquirer.stop();
    await dataSource.destroy();
    await database.drop();
  });

  it(`debits each of ${DOSSIERS} dossiers exactly once while workers are killed`, async () => {
    const { ids } = await seedDueDossiers(dataSource, { count: DOSSIERS, refusedEvery: 20 });
    const env = {
      DATABASE_URL: database.url,
      ACQUIRER_URL: acquirer.url,
      DIAPASON_SCHEDULER_CRON: '* * * * * *',
      DIAPASON_SCHEDULER_BATCH_SIZE: '40',
      DIAPASON_COMPLETION_CONCURRENCY: '8',
      DIAPASON_ACQUIRER_TIMEOUT: '400ms',
      DIAPASON_COMPLETION_LEASE: '3s',
      DIAPASON_TERMINAL_RUNNER: 'false',
      // Several workers on one machine: no HTTP listener (each would need its own port).
      DIAPASON_WORKER_PORT: '0',
      LOG_LEVEL: 'error',
      DIAPASON_TOKEN_SECRET: 'exactly-once-secret-0123456789abcdef',
      SMTP_URL: 'smtp://127.0.0.1:1',
    };
    const launch = () => startProcess('dist/apps/worker/src/main.js', [], env);
    const workers: Started[] = Array.from({ length: WORKERS }, launch);
    let kills = 0;
    const countFinal = async () =>
      Number((await dataSource.query(`SELECT count(*) AS n FROM dossier WHERE id = ANY($1) AND closed_at IS NOT NULL`, [ids]))[0].n);
    try {
      // Chaos: kill a random worker every few hundred milliseconds until most of the work is done.
      const chaosUntil = Date.now() + 20_000;
      while (Date.now() < chaosUntil && (await countFinal()) < DOSSIERS * 0.9) {
        await new Promise((r) => setTimeout(r, 200 + Math.random() * 400));
        const victim = Math.floor(Math.random() * WORKERS);
        workers[victim].child.kill('SIGKILL');
        await workers[victim].exited;
        kills += 1;
        workers[victim] = launch();
      }
      await waitFor(async () => ((await countFinal()) === DOSSIERS ? true : undefined), 120_000, 'every dossier final');
    } finally {
      for (const w of workers) w.child.kill('SIGKILL');
    }
    expect(kills).toBeGreaterThan(3);

    const statuses: { status: string; n: string }[] = await dataSource.query(
      `SELECT status, count(*) AS n FROM dossier WHERE id = ANY($1) GROUP BY status ORDER BY status`,
      [ids],
    );
    expect(statuses).toEqual([
      { status: 'bank_rejected', n: String(DOSSIERS / 20) },
      { status: 'completed', n: String(DOSSIERS - DOSSIERS / 20) },
    ]);

    // The acceptance server's ledger: exactly one debit per completed dossier, none for the others.
    const completed: { id: string; ref: string }[] = await dataSource.query(
      `SELECT id, acquirer_transaction_reference AS ref FROM dossier WHERE id = ANY($1) AND status = 'completed'`,
      [ids],
    );
    expect(acquirer.ledger).toHaveLength(completed.length);
    const byKey = new Map(acquirer.ledger.map((e) => [e.idempotencyKey, e]));
    for (const { id, ref } of completed) {
      expect(acquirer.debitsPerKey.get(`diapason-completion-${id}`)).toBe(1);
      expect(byKey.get(`diapason-completion-${id}`)?.transactionReference).toBe(ref);
    }
    expect([...acquirer.debitsPerKey.values()].every((n) => n === 1)).toBe(true);
    const journal: { n: string }[] = await dataSource.query(
      `SELECT count(*) AS n FROM dossier_event WHERE dossier_id = ANY($1) AND type IN ('dossier.completed', 'dossier.bank_rejected')`,
      [ids],
    );
    expect(Number(journal[0].n)).toBe(DOSSIERS);
  }, 240_000);
});
