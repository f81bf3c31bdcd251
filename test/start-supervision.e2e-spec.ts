import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmbeddedPostgres } from '@diapason/persistence';
import { ProcessInfo, descendants, processInfo, runProcess, startProcess, stillRunning, waitFor } from './support/processes';
import { freePort } from './support/test-database';

/** `npm start` as the compiled supervisor, on its own data directory and ports. */
async function isolatedStartEnv(): Promise<{ env: Record<string, string>; dataDir: string; apiPort: number }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'diapason-start-'));
  // As root, PostgreSQL runs as the `postgres` user, which must be able to enter the folder.
  chmodSync(dataDir, 0o755);
  const apiPort = await freePort();
  const env: Record<string, string> = {
    LOG_LEVEL: 'warn',
    HOST: '127.0.0.1',
    PORT: String(apiPort),
    DIAPASON_DATA_DIR: dataDir,
    DIAPASON_EMBEDDED_PG_PORT: String(await freePort()),
    DIAPASON_SIM_TERMINAL_PORT: String(await freePort()),
    DIAPASON_SIM_ACQUIRER_PORT: String(await freePort()),
    DIAPASON_SIM_SMS_PORT: String(await freePort()),
    DIAPASON_SIM_SMTP_PORT: String(await freePort()),
    DIAPASON_SIM_MAIL_PORT: String(await freePort()),
    DIAPASON_SHUTDOWN_GRACE: '5s',
    DIAPASON_WORKER_PORT: String(await freePort()),
  };
  return { env, dataDir, apiPort };
}

function occupy(port: number): Promise<Server> {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(port, '127.0.0.1', () => resolve(server));
  });
}

const STACK = /\n\s+at /;

describe('npm start: supervision and safe starts', () => {
  it('leaves no process behind when the supervisor is killed with SIGKILL', async () => {
    const { env, dataDir, apiPort } = await isolatedStartEnv();
    const start = startProcess('dist/scripts/start.js', [], env);
    let tree: ProcessInfo[] = [];
    try {
      await waitFor(async () => ((await fetch(`http://127.0.0.1:${apiPort}/health`)).ok ? true : undefined), 90_000, 'api health under npm start');
      // The worker too, so that every process of the tree is up before the kill.
      await waitFor(
        async () => (descendants(start.child.pid!).some((p) => p.command.includes('apps/worker/src/main.js')) ? true : undefined),
        20_000,
        'worker',
      );
      tree = descendants(start.child.pid!);
      const postmasterPid = Number(readFileSync(join(dataDir, 'pg', 'postmaster.pid'), 'utf8').split('\n')[0]);
      const commands = tree.map((p) => p.command).join('\n');
      expect(commands).toContain('apps/api/src/main.js');
      expect(commands).toContain('apps/worker/src/main.js');
      expect(tree.map((p) => p.pid)).toContain(postmasterPid);

      start.child.kill('SIGKILL');
      await start.exited;
      const survivors = await waitFor(
        async () => {
          const left = tree.filter(stillRunning);
          return left.length === 0 ? [] : undefined;
        },
        15_000,
        'the tree of the killed supervisor to end',
      ).catch(() => tree.filter(stillRunning));
      expect(survivors.map((p) => `${p.pid} ${p.command.slice(0, 120)}`)).toEqual([]);
      const postmaster = processInfo(postmasterPid);
      expect(postmaster === undefined || postmaster.zombie).toBe(true);
    } finally {
      if (start.child.exitCode === null && start.child.signalCode === null) start.child.kill('SIGKILL');
      for (const p of tree.filter(stillRunning)) {
        try {
          process.kill(p.pid, 'SIGKILL');
        } catch {
          // gone
        }
      }
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 150_000);

  it('refuses another data directory’s PostgreSQL on its port, in French, naming DIAPASON_EMBEDDED_PG_PORT', async () => {
    // Another checkout's embedded server answers diapason:diapason like ours would: it must not be adopted.
    const otherDir = mkdtempSync(join(tmpdir(), 'diapason-other-'));
    chmodSync(otherDir, 0o755);
    const other = await startEmbeddedPostgres({ dataDir: join(otherDir, 'pg'), port: await freePort(), persistent: false });
    const otherPort = new URL(other.url).port;
    const { env, dataDir } = await isolatedStartEnv();
    env.DIAPASON_EMBEDDED_PG_PORT = otherPort;
    try {
      for (const [script, args] of [
        ['dist/scripts/start.js', []],
        ['dist/apps/cli/src/main.js', ['migrate']],
      ] as const) {
        const res = await runProcess(script, [...args], env);
        expect(res.code).toBe(1);
        expect(res.stderr).toContain(`port ${otherPort}`);
        expect(res.stderr).toContain(join(otherDir, 'pg'));
        expect(res.stderr).toContain('DIAPASON_EMBEDDED_PG_PORT');
        expect(res.stderr).not.toMatch(STACK);
      }
      expect(existsSync(join(dataDir, 'pg'))).toBe(false);
    } finally {
      await other.stop();
      rmSync(otherDir, { recursive: true, force: true });
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('names every busy port and its variable at once, before starting anything', async () => {
    const { env, dataDir, apiPort } = await isolatedStartEnv();
    const sms = Number(env.DIAPASON_SIM_SMS_PORT);
    const pg = Number(env.DIAPASON_EMBEDDED_PG_PORT);
    const servers = await Promise.all([occupy(apiPort), occupy(sms)]);
    try {
      const res = await runProcess('dist/scripts/start.js', [], env);
      expect(res.code).toBe(1);
      expect(res.stderr).toContain(`port ${apiPort} (l’api) déjà utilisé`);
      expect(res.stderr).toContain('PORT=…');
      expect(res.stderr).toContain(`port ${sms}`);
      expect(res.stderr).toContain('DIAPASON_SIM_SMS_PORT=…');
      expect(res.stderr).not.toMatch(STACK);
      expect(existsSync(join(dataDir, 'pg'))).toBe(false);
    } finally {
      for (const s of servers) s.close();
    }
    // Something that is not PostgreSQL on the embedded port.
    const blocker = await occupy(pg);
    try {
      const res = await runProcess('dist/apps/cli/src/main.js', ['migrate'], env);
      expect(res.code).toBe(1);
      expect(res.stderr).toContain(`port ${pg}`);
      expect(res.stderr).toContain('DIAPASON_EMBEDDED_PG_PORT');
      expect(res.stderr).not.toMatch(STACK);
    } finally {
      blocker.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('with the simulators off and no notification channel, says so before starting anything', async () => {
    const { env, dataDir } = await isolatedStartEnv();
    try {
      const res = await runProcess('dist/scripts/start.js', [], { ...env, DIAPASON_SIMULATORS: 'off' });
      expect(res.code).toBe(1);
      expect(res.stderr).toMatch(/^Configuration invalide :/);
      expect(res.stderr).toContain('aucun canal de notification');
      expect(res.stderr).not.toMatch(STACK);
      expect(existsSync(join(dataDir, 'pg'))).toBe(false);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
