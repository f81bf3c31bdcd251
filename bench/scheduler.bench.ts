import 'reflect-metadata';
import { ChildProcess } from 'node:child_process';
import pMap from 'p-map';
import { Pool } from 'pg';
import { DataSource } from 'typeorm';
import { AcquirerClient } from '@diapason/acquirer';
import { completionOutcome, completionRequest } from '../apps/worker/src/sweeps/complete-due-dossiers';
import { DossierWriteRepository, TransactionContext, createDataSource } from '@diapason/persistence';
import { DossierSweeps } from '@diapason/lifecycle';
import { startAcquirerSimulator } from '../simulators/acquirer';
import { seedDueDossiers } from './seed';
import {
  BenchDatabaseServer,
  RatioRow,
  closedLoop,
  freePort,
  printRatio,
  quietPool,
  startBenchDatabase,
  startNode,
  stopChild,
  waitUntil,
} from './support';

/**
 * bench:scheduler — due debits completed against the acquirer simulator (answering at once) by 1, 2
 * and 4 worker processes; beside, in the same run: pg-boss and graphile-worker with their batch
 * options processing one job per debit (same claim, same call, same outcome statement), the ceiling
 * of the path (a bare loop: same client, same concurrency, outcomes recorded by batches) and
 * PostgreSQL's commit ceiling (single-row update transactions per second at the same concurrency).
 */
const N = Number(process.env.BENCH_SCHEDULER_DOSSIERS ?? 100_000);
const CONCURRENCY = 32;
const WORKER_COUNTS = (process.env.BENCH_SCHEDULER_WORKERS ?? '1,2,4').split(',').map(Number);

interface Run {
  label: string;
  seconds: number;
  perSecond: number;
}

async function prepare(
  server: BenchDatabaseServer,
  dueAt = new Date(Date.now() - 1000),
): Promise<{ url: string; dataSource: DataSource; ids: string[] }> {
  const url = await server.createDatabase();
  const dataSource = createDataSource({ url, poolSize: 4 });
  await dataSource.initialize();
  const { ids } = await seedDueDossiers(dataSource, { count: N, refusedEvery: 50, dueAt });
  await dataSource.query('VACUUM ANALYZE dossier');
  return { url, dataSource, ids };
}

async function waitAllClosed(dataSource: DataSource, started: number): Promise<number> {
  for (;;) {
    const [{ open }] = await dataSource.query<{ open: number }[]>(`SELECT count(*)::int AS open FROM dossier WHERE closed_at IS NULL`);
    if (open === 0) return (performance.now() - started) / 1000;
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function ours(server: BenchDatabaseServer, workers: number, acquirerUrl: string): Promise<Run> {
  // Due tomorrow while the workers boot; due now once they all answer /ready: the clock starts then.
  const { url, dataSource } = await prepare(server, new Date(Date.now() + 86_400_000));
  const children: ChildProcess[] = [];
  const ports: number[] = [];
  for (let i = 0; i < workers; i += 1) {
    const port = await freePort();
    ports.push(port);
    children.push(
      startNode('dist/apps/worker/src/main.js', {
        DATABASE_URL: url,
        DIAPASON_WORKER_PORT: String(port),
        ACQUIRER_URL: acquirerUrl,
        DIAPASON_SCHEDULER_CRON: '* * * * * *',
        DIAPASON_SCHEDULER_BATCH_SIZE: '500',
        DIAPASON_COMPLETION_CONCURRENCY: String(CONCURRENCY),
        DIAPASON_TERMINAL_RUNNER: 'false',
        DATABASE_POOL_SIZE: String(CONCURRENCY),
        LOG_LEVEL: 'warn',
        NODE_ENV: 'production',
        DIAPASON_TOKEN_SECRET: 'bench-secret-bench-secret-bench-secret',
        SMTP_URL: 'smtp://127.0.0.1:1',
      }),
    );
  }
  for (const port of ports) await waitUntil(async () => (await fetch(`http://127.0.0.1:${port}/ready`)).ok);
  await dataSource.query(`UPDATE dossier SET completion_due_at = now() - interval '1 second' WHERE closed_at IS NULL`);
  const started = performance.now();
  const seconds = await waitAllClosed(dataSource, started);
  await Promise.all(children.map((c) => stopChild(c)));
  await dataSource.destroy();
  return { label: `DIAPASON worker × ${workers}`, seconds, perSecond: N / seconds };
}

/** Claims `count` due debits, sends them with `CONCURRENCY` calls at a time, records their outcomes in one statement. */
function batchWork(dataSource: DataSource, acquirer: AcquirerClient, concurrency: number) {
  const tx = new TransactionContext(dataSource);
  const sweeps = new DossierSweeps(tx, new DossierWriteRepository(tx));
  return async (count: number) => {
    const claims = await sweeps.startDueCompletions(new Date(), count, 120_000, 'queue');
    const outcomes = await pMap(claims, async (claim) => completionOutcome(claim, await acquirer.complete(completionRequest(claim))), {
      concurrency,
    });
    await sweeps.recordCompletionOutcomes(outcomes, new Date(), 'queue');
  };
}

/** A queue holding one job per due debit, its data the dossier's id. */
async function prepareQueue(server: BenchDatabaseServer) {
  const prepared = await prepare(server);
  await prepared.dataSource.destroy();
  const work = createDataSource({ url: prepared.url, poolSize: CONCURRENCY });
  await work.initialize();
  return { ...prepared, work };
}

/**
 * pg-boss with its documented batch options: `batchSize` fetches many jobs in one query, the batch
 * handler completes them all in one call when it resolves, `burstWhenBatchFull` fetches again at
 * once while batches come back full. Each batch does what our worker does with its batch: one
 * claim, the calls `CONCURRENCY` at a time, one statement for the outcomes.
 */
async function withPgBoss(server: BenchDatabaseServer, acquirerUrl: string, batchSize: number, localConcurrency: number): Promise<Run> {
  const { PgBoss } = await import('pg-boss');
  const { url, work, ids } = await prepareQueue(server);
  const acquirer = new AcquirerClient({ baseUrl: acquirerUrl, timeoutMs: 10_000 });
  const boss = new PgBoss({ connectionString: url, max: 4 });
  boss.on('error', () => undefined);
  await boss.start();
  await boss.createQueue('complete');
  for (let i = 0; i < ids.length; i += 5000)
    await boss.insert(
      'complete',
      ids.slice(i, i + 5000).map((id) => ({ data: { id } })),
    );
  const run = batchWork(work, acquirer, Math.ceil(CONCURRENCY / localConcurrency));
  const started = performance.now();
  await boss.work('complete', { localConcurrency, batchSize, burstWhenBatchFull: true, pollingIntervalSeconds: 0.5 }, (jobs: unknown[]) =>
    run(jobs.length),
  );
  const seconds = await waitAllClosed(work, started);
  await boss.stop({ graceful: false, close: true, timeout: 5000 });
  await acquirer.close();
  await work.destroy();
  return { label: `pg-boss (batchSize ${batchSize} × ${localConcurrency} workers)`, seconds, perSecond: N / seconds };
}

/**
 * graphile-worker with its documented performance options (worker.graphile.org/docs/performance):
 * a local queue fetching and locking many jobs per query, completions batched, prepared
 * statements, `concurrency` jobs at a time (one call each). `batchJobs` > 1 uses its batch jobs
 * instead: each job's payload is a list of that many dossiers, handled like one of our batches.
 */
async function withGraphileWorker(server: BenchDatabaseServer, acquirerUrl: string, batchJobs: number): Promise<Run> {
  const graphile = await import('graphile-worker');
  const { url, work, ids } = await prepareQueue(server);
  const acquirer = new AcquirerClient({ baseUrl: acquirerUrl, timeoutMs: 10_000 });
  const utils = await graphile.makeWorkerUtils({ connectionString: url });
  await utils.migrate();
  const payloads: unknown[] = [];
  for (let i = 0; i < ids.length; i += batchJobs) payloads.push(batchJobs > 1 ? ids.slice(i, i + batchJobs) : { id: ids[i] });
  for (let i = 0; i < payloads.length; i += 5000) {
    await utils.addJobs(payloads.slice(i, i + 5000).map((payload) => ({ identifier: 'complete', payload })));
  }
  await utils.release();
  // Per-job: CONCURRENCY jobs of one call each. Batch jobs: fewer jobs at once, each sending its list CONCURRENCY / jobs at a time.
  const concurrency = batchJobs > 1 ? 4 : CONCURRENCY;
  const job = batchWork(work, acquirer, Math.ceil(CONCURRENCY / concurrency));
  const started = performance.now();
  const runner = await graphile.run({
    connectionString: url,
    concurrency,
    noHandleSignals: true,
    pollInterval: 200,
    logger: new graphile.Logger(() => () => undefined),
    taskList: { complete: async (payload) => job(Array.isArray(payload) ? payload.length : 1) },
    preset: {
      worker: {
        maxPoolSize: concurrency + 4,
        preparedStatements: true,
        localQueue: { size: batchJobs > 1 ? concurrency * 2 : 500 },
        completeJobBatchDelay: 5,
        failJobBatchDelay: 5,
      },
    },
  });
  const seconds = await waitAllClosed(work, started);
  await runner.stop();
  await acquirer.close();
  await work.destroy();
  const label =
    batchJobs > 1
      ? `graphile-worker (batch jobs of ${batchJobs}, concurrency ${concurrency})`
      : `graphile-worker (local queue 500, concurrency ${concurrency})`;
  return { label, seconds, perSecond: N / seconds };
}

/**
 * The ceiling of this path: no claim, no scheduler, no process boundary. The claims' data is read
 * in one query, then a bare loop sends every debit with the same client and the same concurrency
 * and records the outcomes (status and journal) 500 at a time in one statement each.
 */
async function bareLoop(server: BenchDatabaseServer, acquirerUrl: string): Promise<Run> {
  const { url, dataSource } = await prepare(server);
  await dataSource.destroy();
  const pool = quietPool(new Pool({ connectionString: url, max: 4 }));
  const acquirer = new AcquirerClient({ baseUrl: acquirerUrl, timeoutMs: 10_000 });
  const started = performance.now();
  const { rows } = await pool.query<Record<string, string | number | null>>(
    `SELECT d.id, d.amount_cents, a.authorisation_number, a.acquirer_reference, a.masked_pan, a.itp_acceptance_server, a.itp_acceptance_point
       FROM dossier d JOIN imprint_attempt a ON a.id = d.imprint_attempt_id WHERE d.closed_at IS NULL`,
  );
  let buffer: object[] = [];
  const flush = async () => {
    const batch = buffer;
    buffer = [];
    if (batch.length === 0) return;
    await pool.query(
      `WITH input AS (SELECT * FROM jsonb_to_recordset($1::jsonb) AS x(id uuid, status varchar, ref varchar, code varchar)),
            moved AS (
              UPDATE dossier d SET status = input.status, closed_at = now(), updated_at = now(), version = d.version + 1,
                     acquirer_transaction_reference = input.ref, bank_reason_code = input.code
                FROM input WHERE d.id = input.id RETURNING d.id, d.establishment_id, input.status)
       INSERT INTO dossier_event (dossier_id, establishment_id, type, from_status, to_status, actor_type, details, at)
       SELECT id, establishment_id, 'dossier.' || status, 'acknowledged', status, 'system', '{}'::jsonb, now() FROM moved`,
      [JSON.stringify(batch)],
    );
  };
  await closedLoop(rows.length, CONCURRENCY, async (i) => {
    const r = rows[i];
    const id = String(r.id);
    const result = await acquirer.complete({
      idempotencyKey: `bare-${id}`,
      amountCents: Number(r.amount_cents),
      merchantReference: id,
      imprint: {
        authorisationNumber: r.authorisation_number as string | null,
        acquirerReference: r.acquirer_reference as string | null,
        maskedPan: r.masked_pan as string | null,
        itpAcceptanceServer: r.itp_acceptance_server as string | null,
        itpAcceptancePoint: r.itp_acceptance_point as string | null,
      },
    });
    buffer.push(
      result.status === 'approved'
        ? { id, status: 'completed', ref: result.transactionReference, code: null }
        : { id, status: 'bank_rejected', ref: null, code: result.reasonCode },
    );
    if (buffer.length >= 500) await flush();
  });
  await flush();
  const seconds = (performance.now() - started) / 1000;
  await acquirer.close();
  await pool.end();
  return { label: `bare loop: same client, c=${CONCURRENCY}, outcomes by 500`, seconds, perSecond: N / seconds };
}

async function commitCeiling(server: BenchDatabaseServer): Promise<Run> {
  const { url, dataSource, ids } = await prepare(server);
  await dataSource.destroy();
  const pool = quietPool(new Pool({ connectionString: url, max: CONCURRENCY }));
  const { seconds } = await closedLoop(N, CONCURRENCY, async (i) => {
    await pool.query(`UPDATE dossier SET updated_at = now() WHERE id = $1`, [ids[i]]);
  });
  await pool.end();
  return { label: `PostgreSQL single-row update commits (c=${CONCURRENCY})`, seconds, perSecond: N / seconds };
}

export async function benchScheduler(): Promise<RatioRow[]> {
  const server = await startBenchDatabase();
  const acquirer = await startAcquirerSimulator();
  try {
    const runs: Run[] = [];
    for (const workers of WORKER_COUNTS) runs.push(await ours(server, workers, acquirer.url));
    const baselines: Run[] = [
      await withPgBoss(server, acquirer.url, 500, 1),
      await withPgBoss(server, acquirer.url, 100, 4),
      await withGraphileWorker(server, acquirer.url, 1),
      await withGraphileWorker(server, acquirer.url, 100),
      await bareLoop(server, acquirer.url),
    ];
    const ceiling = await commitCeiling(server);
    console.log(`\nbench:scheduler — ${N} due debits, acquirer simulator answering at once`);
    console.log(`${'run'.padEnd(56)} ${'seconds'.padStart(9)} ${'per s'.padStart(10)}`);
    for (const r of [...runs, ...baselines, ceiling]) {
      console.log(`${r.label.padEnd(56)} ${r.seconds.toFixed(1).padStart(9)} ${r.perSecond.toFixed(0).padStart(10)}`);
    }
    const one = runs[0];
    const best = runs.reduce((a, b) => (b.perSecond > a.perSecond ? b : a));
    const rows = baselines.map((b) => printRatio(`1 worker / ${b.label}`, one.perSecond, b.perSecond, { unit: 'per s' }));
    rows.push(printRatio(`1 worker / ${ceiling.label}`, one.perSecond, ceiling.perSecond, { unit: 'per s' }));
    if (best !== one)
      rows.push(
        printRatio(`${best.label} / ${baselines[baselines.length - 1].label}`, best.perSecond, baselines[baselines.length - 1].perSecond, {
          unit: 'per s',
        }),
      );
    console.log(`(acquirer simulator ledger: ${acquirer.ledger.length} debits over all runs)`);
    return rows;
  } finally {
    await acquirer.stop();
    await server.stop();
  }
}

if (require.main === module) {
  benchScheduler().then(
    () => process.exit(0),
    (error) => {
      console.error(error);
      process.exit(1);
    },
  );
}
