import 'reflect-metadata';
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import autocannon from 'autocannon';
import { Pool } from 'pg';
import { v7 as uuidv7 } from 'uuid';
import { ApiKeyRepository, EstablishmentRepository, TransactionContext, createDataSource } from '@diapason/persistence';
import {
  Figures,
  RatioRow,
  closedLoop,
  figuresFrom,
  freePort,
  printFigures,
  printRatio,
  quietPool,
  startBenchDatabase,
  startNode,
  stopChild,
  waitUntil,
} from './support';

/**
 * Dossier creation through the whole GAP API (HTTP, auth, validation, idempotency-free path,
 * transaction) against the same rows inserted by a bare `pg` pool, in the same run.
 */
const TOTAL = Number(process.env.BENCH_API_REQUESTS ?? 5000);
const CONCURRENCY = Number(process.env.BENCH_API_CONCURRENCY ?? 16);
const POOL_SIZE = 10;

async function ours(url: string): Promise<Figures> {
  const dataSource = createDataSource({ url, poolSize: 2 });
  await dataSource.initialize();
  const tx = new TransactionContext(dataSource);
  const key = await tx.run(async () => {
    const est = await new EstablishmentRepository(tx).ensure('BENCH', 'Bench');
    return (await new ApiKeyRepository(tx).create(est.id)).key;
  });
  await dataSource.destroy();

  const port = await freePort();
  const api = startNode('dist/apps/api/src/main.js', {
    DATABASE_URL: url,
    PORT: String(port),
    HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
    DATABASE_POOL_SIZE: String(POOL_SIZE),
    NODE_ENV: 'production',
    DIAPASON_TOKEN_SECRET: 'bench-secret-bench-secret-bench-secret',
    SMTP_URL: 'smtp://127.0.0.1:1',
  });
  try {
    const base = `http://127.0.0.1:${port}`;
    await waitUntil(async () => (await fetch(`${base}/health`)).ok);
    let counter = 0;
    const run = async (amount: number) =>
      autocannon({
        url: `${base}/v1/dossiers`,
        connections: CONCURRENCY,
        amount,
        requests: [
          {
            method: 'POST',
            headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
            setupRequest: (request) => ({
              ...request,
              body: JSON.stringify({
                gapDossierNumber: `B-${(counter += 1)}`,
                regieCode: 'REGIE-01',
                patient: { lastName: 'Bench', firstName: 'Mark', phone: '06 39 98 01 01', email: 'bench@example.test' },
                admissionDate: '2026-11-20',
              }),
            }),
          },
        ],
      });
    await run(500); // warm-up: JIT, pool, régie cache
    const cpuBefore = processCpuMs(api.pid);
    const result = await run(TOTAL);
    const cpuMs = processCpuMs(api.pid) - cpuBefore;
    // CPU time of the api per request: less sensitive than throughput to the load of a shared machine.
    console.log(`api process CPU per request: ${(cpuMs / result.requests.total).toFixed(3)} ms (load average ${loadavg()[0].toFixed(2)})`);
    if (result.non2xx > 0 || result.errors > 0) throw new Error(`API answered ${result.non2xx} non-2xx and ${result.errors} errors`);
    return {
      label: `GAP API POST /v1/dossiers (c=${CONCURRENCY})`,
      count: result.requests.total,
      seconds: result.duration,
      perSecond: result.requests.total / result.duration,
      p50Ms: result.latency.p50,
      p99Ms: result.latency.p99,
    };
  } finally {
    await stopChild(api);
  }
}

/** User + system CPU time of a process so far, in ms (Linux /proc; NaN elsewhere). */
function processCpuMs(pid: number | undefined): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
  } catch {
    return Number.NaN;
  }
}

async function baseline(url: string): Promise<Figures> {
  const pool = quietPool(new Pool({ connectionString: url, max: POOL_SIZE }));
  const est = uuidv7();
  const regie = uuidv7();
  await pool.query(`INSERT INTO establishment (id, code, name) VALUES ($1, 'BASE', 'Base')`, [est]);
  await pool.query(`INSERT INTO regie (id, establishment_id, code, name) VALUES ($1, $2, 'REGIE-01', 'REGIE-01')`, [regie, est]);
  const insert = async (i: number) => {
    const now = new Date();
    await pool.query(
      `WITH d AS (
         INSERT INTO dossier (id, establishment_id, regie_id, regie_code, gap_dossier_number, status, patient_last_name,
                              patient_first_name, patient_phone, patient_email, admission_date, created_at, updated_at, version)
         VALUES ($1, $2, $3, 'REGIE-01', $4, 'awaiting_imprint', 'Bench', 'Mark', '+33639980101', 'bench@example.test',
                 '2026-11-20', $5, $5, 1) RETURNING id, establishment_id, created_at)
       INSERT INTO dossier_event (dossier_id, establishment_id, type, to_status, actor_type, details, at)
       SELECT id, establishment_id, 'dossier.created', 'awaiting_imprint', 'gap', '{}'::jsonb, created_at FROM d`,
      [uuidv7(), est, regie, `P-${i}`, now],
    );
  };
  await closedLoop(500, CONCURRENCY, (i) => insert(1_000_000 + i));
  const { latencies, seconds } = await closedLoop(TOTAL, CONCURRENCY, insert);
  await pool.end();
  return figuresFrom(`bare pg pool, same inserts (c=${CONCURRENCY})`, latencies, seconds);
}

export async function benchApi(): Promise<RatioRow[]> {
  const server = await startBenchDatabase();
  try {
    const oursFigures = await ours(await server.createDatabase());
    const baseFigures = await baseline(await server.createDatabase());
    printFigures(`bench:api — dossier creation, ${TOTAL} requests`, [oursFigures, baseFigures]);
    const p99 = { oursP99Ms: oursFigures.p99Ms, baselineP99Ms: baseFigures.p99Ms };
    return [
      printRatio('POST /v1/dossiers per s / bare pg inserts per s', oursFigures.perSecond, baseFigures.perSecond, { unit: 'per s', ...p99 }),
      printRatio('p50 latency ours / baseline', oursFigures.p50Ms, baseFigures.p50Ms, { unit: 'ms' }),
      printRatio('p99 latency ours / baseline', oursFigures.p99Ms, baseFigures.p99Ms, { unit: 'ms' }),
    ];
  } finally {
    await server.stop();
  }
}

if (require.main === module) {
  benchApi().then(
    () => process.exit(0),
    (error) => {
      console.error(error);
      process.exit(1);
    },
  );
}
