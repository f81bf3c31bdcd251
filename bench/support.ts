import { ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { Client } from 'pg';
import { createDataSource, runMigrations, startEmbeddedPostgres } from '@diapason/persistence';

/** The repository root, whether this runs from bench/ (ts) or dist/bench/ (compiled). */
export const ROOT = (() => {
  let dir = __dirname;
  while (!existsSync(join(dir, 'package.json')) && dirname(dir) !== dir) dir = dirname(dir);
  return dir;
})();

export interface BenchDatabaseServer {
  adminUrl: string;
  createDatabase(): Promise<string>;
  stop(): Promise<void>;
}

/** A PostgreSQL for the benchmark: BENCH_DATABASE_URL (a maintenance database) or a throw-away embedded one. */
export async function startBenchDatabase(): Promise<BenchDatabaseServer> {
  let adminUrl = process.env.BENCH_DATABASE_URL;
  let stop = async () => undefined as void;
  if (!adminUrl) {
    const dir = mkdtempSync(join(tmpdir(), 'diapason-bench-'));
    chmodSync(dir, 0o755);
    const server = await startEmbeddedPostgres({ dataDir: join(dir, 'pg'), port: await freePort(), database: 'postgres', persistent: false });
    adminUrl = server.adminUrl;
    stop = async () => {
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
    };
  }
  const admin = adminUrl;
  return {
    adminUrl: admin,
    async createDatabase() {
      const name = `bench_${randomBytes(5).toString('hex')}`;
      const client = new Client({ connectionString: admin });
      await client.connect();
      await client.query(`CREATE DATABASE ${name}`);
      await client.end();
      const url = new URL(admin);
      url.pathname = `/${name}`;
      const dataSource = createDataSource({ url: url.toString(), poolSize: 1 });
      await dataSource.initialize();
      await runMigrations(dataSource);
      await dataSource.destroy();
      return url.toString();
    },
    stop,
  };
}

export function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer();
    server.on('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => done(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

export function startNode(script: string, env: Record<string, string>): ChildProcess {
  const flags = process.env.BENCH_NODE_FLAGS ? process.env.BENCH_NODE_FLAGS.split(' ') : [];
  return spawn(process.execPath, [...flags, resolve(ROOT, script)], {
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
}

export async function waitUntil(probe: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await probe().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('timed out');
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index];
}

export interface Figures {
  label: string;
  count: number;
  seconds: number;
  perSecond: number;
  p50Ms: number;
  p99Ms: number;
}

export function figuresFrom(label: string, latenciesMs: number[], seconds: number): Figures {
  const sorted = [...latenciesMs].sort((a, b) => a - b);
  return {
    label,
    count: latenciesMs.length,
    seconds,
    perSecond: latenciesMs.length / seconds,
    p50Ms: percentile(sorted, 50),
    p99Ms: percentile(sorted, 99),
  };
}

const fmt = (n: number, digits = 1) => (Number.isFinite(n) ? n.toFixed(digits) : '—');

export function printFigures(title: string, rows: Figures[]): void {
  console.log(`\n${title}`);
  console.log(`${'run'.padEnd(44)} ${'n'.padStart(7)} ${'per s'.padStart(9)} ${'p50 ms'.padStart(8)} ${'p99 ms'.padStart(8)}`);
  for (const r of rows) {
    console.log(
      `${r.label.padEnd(44)} ${String(r.count).padStart(7)} ${fmt(r.perSecond).padStart(9)} ${fmt(r.p50Ms, 2).padStart(8)} ${fmt(r.p99Ms, 2).padStart(8)}`,
    );
  }
}

/** One line of the `npm run bench` summary: our figure against one baseline. */
export interface RatioRow {
  bench: string;
  label: string;
  ours: number;
  baseline: number;
  ratio: number;
  /** Unit of `ours` and `baseline` (per s, ms…). */
  unit?: string;
  /** Our p99 latency and the baseline's, where the bench measures one. */
  oursP99Ms?: number;
  baselineP99Ms?: number;
}

const recorded: RatioRow[] = [];
let currentBench = '';

/** Every ratio printed while `run` runs is recorded under `bench` and returned with its result. */
export async function collectRatios(bench: string, run: () => Promise<unknown>): Promise<RatioRow[]> {
  currentBench = bench;
  const from = recorded.length;
  try {
    await run();
  } finally {
    currentBench = '';
  }
  return recorded.slice(from);
}

export function printRatio(
  label: string,
  ours: number,
  baseline: number,
  details: Pick<RatioRow, 'unit' | 'oursP99Ms' | 'baselineP99Ms'> = {},
): RatioRow {
  const row: RatioRow = { bench: currentBench, label, ours, baseline, ratio: ours / baseline, ...details };
  recorded.push(row);
  console.log(`ratio ${label.padEnd(50)} ${fmt(row.ratio, 3)}`);
  return row;
}

/** The summary table of `npm run bench`. */
export function printSummary(rows: RatioRow[], failures: { bench: string; error: string }[]): void {
  const head = `${'bench'.padEnd(10)} ${'ratio of'.padEnd(58)} ${'ours'.padStart(10)} ${'baseline'.padStart(10)} ${'ratio'.padStart(7)} ${'p99 ours/base ms'.padStart(17)}`;
  console.log(`\n=== summary ===\n${head}\n${'-'.repeat(head.length)}`);
  for (const r of rows) {
    const p99 = r.oursP99Ms === undefined ? '' : `${fmt(r.oursP99Ms)} / ${fmt(r.baselineP99Ms ?? Number.NaN)}`;
    console.log(
      `${r.bench.padEnd(10)} ${r.label.slice(0, 58).padEnd(58)} ${fmt(r.ours).padStart(10)} ${fmt(r.baseline).padStart(10)} ${fmt(r.ratio, 3).padStart(7)} ${p99.padStart(17)}`,
    );
  }
  for (const f of failures) console.log(`${f.bench.padEnd(10)} FAILED: ${f.error}`);
}

/** SIGTERM, then SIGKILL after `graceMs`; resolves once the child has exited (before its database is stopped). */
export function stopChild(child: ChildProcess, graceMs = 10_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((done) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', () => {
      clearTimeout(timer);
      done();
    });
    child.kill('SIGTERM');
  });
}

/** A bench pool must not bring the run down when its server goes away: idle-client errors are expected then. */
export function quietPool<T extends { on(event: 'error', listener: (error: Error) => void): unknown }>(pool: T): T {
  pool.on('error', () => undefined);
  return pool;
}

/** Runs `task` from `concurrency` loops until `total` calls are done; returns per-call latencies. */
export async function closedLoop(total: number, concurrency: number, task: (i: number) => Promise<void>) {
  const latencies: number[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      for (;;) {
        const i = next++;
        if (i >= total) return;
        const t0 = performance.now();
        await task(i);
        latencies.push(performance.now() - t0);
      }
    }),
  );
  return { latencies, seconds: (performance.now() - started) / 1000 };
}
