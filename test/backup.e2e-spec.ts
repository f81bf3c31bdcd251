import { chmodSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { createDataSource, runMigrations, startEmbeddedPostgres } from '@diapason/persistence';
import { findPgTool, serverMajor } from '../apps/cli/src/pg-tools';
import { freshDatabase } from './support/fresh-database';
import { runProcess } from './support/processes';
import { freePort } from './support/test-database';

const CLI = 'dist/apps/cli/src/main.js';
const BASE_ENV = { NODE_ENV: 'test', LOG_LEVEL: 'warn' };

async function query<T>(url: string, sql: string, params: unknown[] = [], applicationName?: string): Promise<T[]> {
  const client = new Client({ connectionString: url, application_name: applicationName });
  await client.connect();
  try {
    return (await client.query(sql, params)).rows as T[];
  } finally {
    await client.end();
  }
}

/**
 * The test database when this machine's pg_dump can dump it; otherwise (pg_dump older than the
 * test server, e.g. Debian 12's 15 against the embedded 18) a migrated database on a server of
 * pg_dump's own version, from the same installation (Debian's postgresql-<version> package).
 */
async function databaseForTools(): Promise<{ url: string; note: string; drop(): Promise<void> }> {
  const adminUrl = process.env.DIAPASON_TEST_ADMIN_URL!;
  const tool = await findPgTool('pg_dump', undefined);
  if (tool.major >= (await serverMajor(adminUrl))) {
    const db = await freshDatabase();
    return { url: db.url, note: 'test database', drop: () => db.drop() };
  }
  const binDir = join(tool.path, '..');
  if (!existsSync(join(binDir, 'postgres')) || !existsSync(join(binDir, 'initdb'))) {
    throw new Error(
      `pg_dump ${tool.major} (${tool.path}) cannot dump the test server, and no PostgreSQL ${tool.major} server sits beside it: ` +
        `install postgresql-${tool.major} (Debian) or give pg_dump of the test server's version through PATH`,
    );
  }
  const dir = mkdtempSync(join(tmpdir(), 'diapason-backup-pg-'));
  chmodSync(dir, 0o755);
  const server = await startEmbeddedPostgres({ dataDir: join(dir, 'pg'), port: await freePort(), persistent: false, binDir });
  const dataSource = createDataSource({ url: server.url, poolSize: 1 });
  await dataSource.initialize();
  try {
    await runMigrations(dataSource);
  } finally {
    await dataSource.destroy();
  }
  return {
    url: server.url,
    note: `PostgreSQL ${tool.major} beside pg_dump`,
    drop: async () => {
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

describe('diapason backup and restore', () => {
  let database: { url: string; note: string; drop(): Promise<void> };
  let dir: string;
  beforeAll(async () => {
    database = await databaseForTools();
    dir = mkdtempSync(join(tmpdir(), 'diapason-backup-'));
  }, 60_000);
  afterAll(async () => {
    await database?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('backs up, and restores a row deleted after the backup', async () => {
    const env = { ...BASE_ENV, DATABASE_URL: database.url };
    const created = await runProcess(CLI, ['api-key:create', 'CH-SAUVEGARDE'], env);
    expect(created.code).toBe(0);
    const keysOf = () =>
      query<{ id: string }>(database.url, 'SELECT k.id FROM api_key k JOIN establishment e ON e.id = k.establishment_id WHERE e.code = $1', [
        'CH-SAUVEGARDE',
      ]);
    const before = await keysOf();
    expect(before).toHaveLength(1);

    const file = join(dir, 'avant.dump');
    const saved = await runProcess(CLI, ['backup', '--output', file], env);
    expect([saved.code, saved.stderr]).toEqual([0, expect.stringContaining('Sauvegarde écrite')]);
    expect(saved.stdout).toBe(`${file}\n`);
    expect(existsSync(file)).toBe(true);
    expect(existsSync(`${file}.partiel`)).toBe(false);

    await query(database.url, 'DELETE FROM api_key WHERE id = $1', [before[0].id]);
    expect(await keysOf()).toHaveLength(0);

    const restored = await runProcess(CLI, ['restore', file], env);
    expect([restored.code, restored.stderr]).toEqual([0, expect.stringContaining('Base restaurée')]);
    expect(await keysOf()).toEqual(before);
  });

  it('refuses to restore under a running api unless --force', async () => {
    const file = join(dir, 'sous-api.dump');
    const env = { ...BASE_ENV, DATABASE_URL: database.url };
    expect((await runProcess(CLI, ['backup', '-o', file], env)).code).toBe(0);
    const api = new Client({ connectionString: database.url, application_name: 'diapason-api' });
    await api.connect();
    try {
      const refused = await runProcess(CLI, ['restore', file], env);
      expect(refused.code).toBe(1);
      expect(refused.stderr).toContain('arrêtez l’api et le worker');
      expect(refused.stderr).toContain('--force');
    } finally {
      await api.end();
    }
  });

  it('names what to install when pg_dump is older than the server, without a stack', async () => {
    const fake = join(dir, 'vieux-bin');
    const { mkdirSync } = await import('node:fs');
    mkdirSync(fake, { recursive: true });
    writeFileSync(join(fake, 'pg_dump'), '#!/bin/sh\necho "pg_dump (PostgreSQL) 9.6.24"\n', { mode: 0o755 });
    const res = await runProcess(CLI, ['backup', '-o', join(dir, 'jamais.dump')], {
      ...BASE_ENV,
      DATABASE_URL: database.url,
      DIAPASON_PG_BIN_DIR: fake,
    });
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(/pg_dump 9 .* ne sait pas traiter un serveur PostgreSQL \d+/);
    expect(res.stderr).toContain('DIAPASON_PG_BIN_DIR');
    expect(res.stderr).not.toMatch(/\n\s+at /);
    expect(existsSync(join(dir, 'jamais.dump'))).toBe(false);
  });

  it('restore of a missing file fails in French', async () => {
    const res = await runProcess(CLI, ['restore', join(dir, 'absent.dump')], { ...BASE_ENV, DATABASE_URL: database.url });
    expect(res.code).toBe(1);
    expect(res.stderr).toContain('Fichier de sauvegarde introuvable');
  });
});
