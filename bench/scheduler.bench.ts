import 'reflect-metadata';
import { ChildProcess } from 'node:child_process';
import { Pool } from 'pg';
import { DataSource } from 'typeorm';
import { AcquirerClient } from '@diapason/acquirer';
import { completionOutcome, completionRequest } from '../apps/worker/src/sweeps/complete-due-dossiers';
import { DossierWriteRepository, TransactionContext, createDataSource } from '@diapason/persistence';
import { DossierSweeps } from '@diapason/lifecycle';
import { startAcquirerSimulator } from '../simulators/acquirer';
import { seedDueDossiers } from './seed';
import { BenchDatabaseServer, closedLoop, printRatio, startBenchDatabase, startNode } from './support';

/**
 * bench:scheduler — due debits completed against the acquirer simulator (answering at once) by 1, 2
 * and 4 worker processes; beside, in the same run: pg-boss and graphile-worker processing as many
 * jobs that each do the same state update and the same acquirer call, and PostgreSQL's commit
 * ceiling (single-row update transactions per second at the same concurrency).
 */
const N = Number(process.env.BENCH_SCHEDULER_DOSSIERS ?? 100_000);
const CONCURRENCY = 32;
const WORKER_COUNTS = (process.env.BENCH_SCHEDULER_WORKERS ?? '1,2,4').split(',').map(Number);

interface Run {
  label: string;
  seconds: number;
  perSecond: number;
}

async function prepare(server: BenchDatabaseServer): Promise<{ url: string; dataSource: DataSource; ids: string[] }> {
  const url = await server.createDatabase();
  const dataSource = createDataSource({ url, poolSize: 4 });
  await dataSource.initialize();
  const { ids } = await seedDueDossiers(dataSource, { count: N, refusedEvery: 50, dueAt: new Date(Date.now() - 1000) });
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
  const { url, dataSource } = await prepare(server);
  const children: ChildProcess[] = [];
  const started = performance.now();
  for (let i = 0; i < workers; i += 1) {
    children.push(
      startNode('dist/apps/worker/src/main.js', {
        DATABASE_URL: url,
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
  const seconds = await waitAllClosed(dataSource, started);
  children.forEach((c) => c.kill('SIGTERM'));
  await dataSource.destroy();
  return { label: `DIAPASON worker × ${workers}`, seconds, perSecond: N / seconds };
}

/** The work of one job, as a queue library would run it: the same statements and the same call. */
function jobWork(dataSource: DataSource, acquirer: AcquirerClient) {
  const tx = new TransactionContext(dataSource);
  const sweeps = new DossierSweeps(tx, new DossierWriteRepository(tx));
  return async () => {
    const [claim] = await sweeps.startDueCompletions(new Date(), 1, 120_000, 'queue');
    if (!claim) return;
    const result = await acquirer.complete(completionRequest(claim));
    await sweeps.recordCompletionOutcomes([completionOutcome(claim, result)], new Date(), 'queue');
  };
}

async function withPgBoss(server: BenchDatabaseServer, acquirerUrl: string): Promise<Run> {
  const { PgBoss } = await import('pg-boss');
  const { url, dataSource, ids } = await prepare(server);
  await dataSource.destroy();
  const work = createDataSource({ url, poolSize: CONCURRENCY });
  await work.initialize();
  const acquirer = new AcquirerClient({ baseUrl: acquirerUrl, timeoutMs: 10_000 });
  const boss = new PgBoss(url);
  boss.on('error', () => undefined);
  await boss.start();
  await boss.createQueue('complete');
  for (let i = 0; i < ids.length; i += 5000)
    await boss.insert(
      'complete',
      ids.slice(i, i + 5000).map((id) => ({ data: { id } })),
    );
  const run = jobWork(work, acquirer);
  const started = performance.now();
  // Its best settings for a backlog: workers fetch again at once while batches come back full.
  const perWorker = 8;
  await boss.work(
    'complete',
    { localConcurrency: CONCURRENCY / perWorker, batchSize: perWorker, burstWhenBatchFull: true, pollingIntervalSeconds: 0.5 },
    (jobs: unknown[]) => Promise.all(jobs.map(() => run())),
  );
  const seconds = await waitAllClosed(work, started);
  await boss.stop({ graceful: false, close: true, timeout: 5000 });
  await acquirer.close();
  await work.destroy();
  return { label: `pg-boss (${CONCURRENCY} jobs at once)`, seconds, perSecond: N / seconds };
}

async function withGraphileWorker(server: BenchDatabaseServer, acquirerUrl: string): Promise<Run> {
  const { run: runGraphile, makeWorkerUtils } = await import('graphile-worker');
  const { url, dataSource, ids } = await prepare(server);
  await dataSource.destroy();
  const work = createDataSource({ url, poolSize: CONCURRENCY });
  await work.initialize();
  const acquirer = new AcquirerClient({ baseUrl: acquirerUrl, timeoutMs: 10_000 });
  const utils = await makeWorkerUtils({ connectionString: url });
  await utils.migrate();
  for (let i = 0; i < ids.length; i += 5000) {
    await utils.addJobs(ids.slice(i, i + 5000).map((id) => ({ identifier: 'complete', payload: { id } })));
  }
  await utils.release();
  const job = jobWork(work, acquirer);
  const started = performance.now();
  const runner = await runGraphile({
    connectionString: url,
    concurrency: CONCURRENCY,
    noHandleSignals: true,
    pollInterval: 200,
    logger: new (await import('graphile-worker')).Logger(() => () => undefined),
    taskList: { complete: async () => job() },
  });
  const seconds = await waitAllClosed(work, started);
  await runner.stop();
  await acquirer.close();
  await work.destroy();
  return { label: `graphile-worker (concurrency ${CONCURRENCY})`, seconds, perSecond: N / seconds };
}

async function commitCeiling(server: BenchDatabaseServer): Promise<Run> {
  const { url, dataSource, ids } = await prepare(server);
  await dataSource.destroy();
  const pool = new Pool({ connectionString: url, max: CONCURRENCY });
  const { seconds } = await closedLoop(N, CONCURRENCY, async (i) => {
    await pool.query(`UPDATE dossier SET updated_at = now() WHERE id = $1`, [ids[i]]);
  });
  await pool.end();
  return { label: `PostgreSQL single-row update commits (c=${CONCURRENCY})`, seconds, perSecond: N / seconds };
}

export async function benchScheduler(): Promise<void> {
  const server = await startBenchDatabase();
  const acquirer = await startAcquirerSimulator();
  try {
    const runs: Run[] = [];
    for (const workers of WORKER_COUNTS) runs.push(await ours(server, workers, acquirer.url));
    const pgBoss = await withPgBoss(server, acquirer.url);
    const graphile = await withGraphileWorker(server, acquirer.url);
    const ceiling = await commitCeiling(server);
    console.log(`\nbench:scheduler — ${N} due debits, acquirer simulator answering at once`);
    console.log(`${'run'.padEnd(48)} ${'seconds'.padStart(9)} ${'per s'.padStart(10)}`);
    for (const r of [...runs, pgBoss, graphile, ceiling]) {
      console.log(`${r.label.padEnd(48)} ${r.seconds.toFixed(1).padStart(9)} ${r.perSecond.toFixed(0).padStart(10)}`);
    }
    const one = runs[0];
    printRatio(`ours (${one.label}) / pg-boss`, one.perSecond, pgBoss.perSecond);
    printRatio(`ours (${one.label}) / graphile-worker`, one.perSecond, graphile.perSecond);
    printRatio(`ours (${one.label}) / commit ceiling`, one.perSecond, ceiling.perSecond);
    const best = runs.reduce((a, b) => (b.perSecond > a.perSecond ? b : a));
    printRatio(`best ours (${best.label}) / commit ceiling`, best.perSecond, ceiling.perSecond);
    console.log(`(acquirer simulator ledger: ${acquirer.ledger.length} debits over all runs)`);
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
