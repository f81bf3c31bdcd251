import { chmodSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { databaseRelay } from './support/database-relay';
import { freshDatabase } from './support/fresh-database';
import { ROOT, runProcess, startProcess, waitFor } from './support/processes';
import { freePort } from './support/test-database';

const STACK = /\n\s+at /;

const BASE_ENV = {
  NODE_ENV: 'test',
  LOG_LEVEL: 'warn',
  DIAPASON_TOKEN_SECRET: 'process-test-secret-0123456789abcdef',
  SMTP_URL: 'smtp://127.0.0.1:1',
  DIAPASON_WORKER_PORT: '0',
};

describe('processes: cli, api and worker as the operator runs them', () => {
  let database: { url: string; drop(): Promise<void> };
  beforeAll(async () => {
    database = await freshDatabase();
  });
  afterAll(() => database.drop());

  it('creates an API key that prints alone on stdout and opens the API to its establishment', async () => {
    const created = await runProcess('dist/apps/cli/src/main.js', ['api-key:create', 'CH-PROC', '--name', 'CH des processus'], {
      ...BASE_ENV,
      DATABASE_URL: database.url,
    });
    expect(created.code).toBe(0);
    expect(created.stdout).toMatch(/^dpk_[A-Za-z0-9_-]{43}\n$/);
    const key = created.stdout.trim();

    const port = await freePort();
    const api = startProcess('dist/apps/api/src/main.js', [], { ...BASE_ENV, DATABASE_URL: database.url, PORT: String(port) });
    try {
      const base = `http://127.0.0.1:${port}`;
      await waitFor(async () => ((await fetch(`${base}/health`)).ok ? true : undefined), 20_000, 'api health');
      const list = await fetch(`${base}/v1/dossiers`, { headers: { authorization: `Bearer ${key}` } });
      expect(list.status).toBe(200);
      const stored: { key_hash: string }[] = await (async () => {
        const { Client } = await import('pg');
        const client = new Client({ connectionString: database.url });
        await client.connect();
        try {
          return (await client.query('SELECT key_hash FROM api_key')).rows;
        } finally {
          await client.end();
        }
      })();
      expect(JSON.stringify(stored)).not.toContain(key);

      api.child.kill('SIGTERM');
      const exit = await api.exited;
      expect(exit.code).toBe(0);
    } finally {
      if (api.child.exitCode === null) api.child.kill('SIGKILL');
    }
  });

  it('refuses an invalid establishment code', async () => {
    const res = await runProcess('dist/apps/cli/src/main.js', ['api-key:create', 'pas bon'], { ...BASE_ENV, DATABASE_URL: database.url });
    expect(res.code).not.toBe(0);
    expect(res.stdout).toBe('');
    expect(res.stderr).toMatch(/Code d’établissement invalide/);
  });

  it.each([
    ['api', 'dist/apps/api/src/main.js'],
    ['worker', 'dist/apps/worker/src/main.js'],
  ])('%s stops at start on a wrong setting, naming the variable', async (_name, script) => {
    const res = await runProcess(script, [], {
      ...BASE_ENV,
      DATABASE_URL: database.url,
      DIAPASON_COMPLETION_DELAY: 'bientôt',
      DIAPASON_ACK_TIMEOUT: '-3d',
    });
    expect(res.code).toBe(1);
    expect(res.stderr).toContain('DIAPASON_COMPLETION_DELAY');
    expect(res.stderr).toContain('bientôt');
    expect(res.stderr).toContain('DIAPASON_ACK_TIMEOUT');
  });

  it('the worker ticks and stops cleanly on SIGTERM', async () => {
    const worker = startProcess('dist/apps/worker/src/main.js', [], {
      ...BASE_ENV,
      LOG_LEVEL: 'info',
      DATABASE_URL: database.url,
      DIAPASON_SCHEDULER_CRON: '* * * * * *',
    });
    try {
      await waitFor(async () => (worker.output().includes('scheduler started') ? true : undefined), 20_000, 'worker start');
      worker.child.kill('SIGTERM');
      const exit = await worker.exited;
      expect(exit.code).toBe(0);
    } finally {
      if (worker.child.exitCode === null) worker.child.kill('SIGKILL');
    }
  });

  it.each([
    ['api', 'dist/apps/api/src/main.js'],
    ['worker', 'dist/apps/worker/src/main.js'],
  ])('%s started alone without DATABASE_URL, secret or channel lists them all, in French, without a stack', async (name, script) => {
    const res = await runProcess(script, [], { NODE_ENV: 'test', LOG_LEVEL: 'warn', DIAPASON_ACK_TIMEOUT: '1M' });
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(/^Configuration invalide :/);
    expect(res.stderr).toContain(`DATABASE_URL : absente : l’${name}`);
    expect(res.stderr).toContain('npm start');
    expect(res.stderr).toContain('DIAPASON_TOKEN_SECRET : absent');
    expect(res.stderr).toContain('aucun canal de notification');
    expect(res.stderr).toContain('DIAPASON_ACK_TIMEOUT : « 1M » est ambigu');
    expect(res.stderr).not.toMatch(STACK);
  });

  it('the api names its busy port and PORT, without a stack', async () => {
    const port = await freePort();
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(port, '127.0.0.1', resolve));
    try {
      const res = await runProcess('dist/apps/api/src/main.js', [], {
        ...BASE_ENV,
        DATABASE_URL: database.url,
        HOST: '127.0.0.1',
        PORT: String(port),
      });
      expect(res.code).toBe(1);
      expect(res.stderr).toContain(`port ${port} (l’api) déjà utilisé`);
      expect(res.stderr).toContain('PORT=…');
      expect(res.stderr).not.toMatch(STACK);
    } finally {
      blocker.close();
    }
  });

  it('a worker whose database is gone still exits on SIGTERM within DIAPASON_SHUTDOWN_GRACE', async () => {
    const relay = await databaseRelay(new URL(database.url));
    const worker = startProcess('dist/apps/worker/src/main.js', [], {
      ...BASE_ENV,
      LOG_LEVEL: 'info',
      DATABASE_URL: relay.url,
      DIAPASON_SCHEDULER_CRON: '* * * * * *',
      DIAPASON_SHUTDOWN_GRACE: '3s',
    });
    try {
      await waitFor(async () => (worker.output().includes('scheduler started') ? true : undefined), 20_000, 'worker start');
      await relay.cut();
      await new Promise((r) => setTimeout(r, 1500));
      const sent = Date.now();
      worker.child.kill('SIGTERM');
      const exit = await worker.exited;
      expect(Date.now() - sent).toBeLessThan(3000 + 2000);
      expect(exit.signal).toBeNull();
      expect([0, 1]).toContain(exit.code);
    } finally {
      await relay.cut();
      if (worker.child.exitCode === null) worker.child.kill('SIGKILL');
    }
  });

  it('the diapason command: French help, version, usage errors exit 2, runs from its shebang', async () => {
    const help = await runProcess('dist/apps/cli/src/main.js', ['--help'], BASE_ENV);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Utilisation : diapason');
    expect(help.stdout).toContain('Codes de sortie');
    for (const command of ['migrate', 'api-key:create', 'terminal:check', 'backup', 'restore']) expect(help.stdout).toContain(command);

    const version = await runProcess('dist/apps/cli/src/main.js', ['--version'], BASE_ENV);
    expect(version.code).toBe(0);
    expect(version.stdout.trim()).toBe((await import(join(ROOT, 'package.json'))).version);

    const unknown = await runProcess('dist/apps/cli/src/main.js', ['sauvegarde'], BASE_ENV);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('commande inconnue : « sauvegarde »');
    const missing = await runProcess('dist/apps/cli/src/main.js', ['restore'], BASE_ENV);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('argument obligatoire manquant : <fichier>');

    // `bin` of package.json: the compiled file runs by itself (npm makes it executable when it links it).
    const { spawnSync } = await import('node:child_process');
    const bin = join(ROOT, (await import(join(ROOT, 'package.json'))).bin.diapason as string);
    chmodSync(bin, statSync(bin).mode | 0o111);
    const direct = spawnSync(bin, ['--version'], {
      env: { PATH: `${join(ROOT, 'node_modules/.bin')}:${process.env.PATH}`, DIAPASON_ENV_FILE: 'off' },
      encoding: 'utf8',
    });
    expect(direct.status).toBe(0);
    expect(direct.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('loads .env from the current folder, the real environment winning', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'diapason-envfile-'));
    try {
      const { writeFileSync } = await import('node:fs');
      writeFileSync(join(dir, '.env'), `DIAPASON_COMPLETION_DELAY=bientôt\nDIAPASON_ACK_TIMEOUT=2j\n`);
      const { spawnSync } = await import('node:child_process');
      const res = spawnSync(process.execPath, [join(ROOT, 'dist/apps/worker/src/main.js')], {
        cwd: dir,
        env: { PATH: process.env.PATH, ...BASE_ENV, DATABASE_URL: database.url, DIAPASON_ACK_TIMEOUT: '1y' },
        encoding: 'utf8',
      });
      expect(res.status).toBe(1);
      expect(res.stderr).toContain('DIAPASON_COMPLETION_DELAY : « bientôt »');
      expect(res.stderr).toContain('DIAPASON_ACK_TIMEOUT : « 1y »');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
