import { freshDatabase } from './support/fresh-database';
import { runProcess, startProcess, waitFor } from './support/processes';
import { freePort } from './support/test-database';

const BASE_ENV = { NODE_ENV: 'test', LOG_LEVEL: 'warn', DIAPASON_TOKEN_SECRET: 'process-test-secret-0123456789abcdef', SMTP_URL: 'smtp://127.0.0.1:1' };

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
});
