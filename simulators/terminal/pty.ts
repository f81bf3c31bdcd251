import { ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface PtyPair {
  /** The end the register (our bridge, or any cash register) opens. */
  registerPath: string;
  /** The end the simulated terminal opens. */
  terminalPath: string;
  close(): Promise<void>;
}

/**
 * A serial line on one machine: two pseudo-terminals wired together by socat, in a folder of the
 * temporary directory that `SIMULATOR_SERIAL_GLOB` (access.ts) matches.
 */
export async function createPtyPair(name = 'terminal'): Promise<PtyPair> {
  const dir = mkdtempSync(join(tmpdir(), `diapason-pty-${name}-`));
  const registerPath = join(dir, 'register');
  const terminalPath = join(dir, 'terminal');
  const socat: ChildProcess = spawn('socat', [`pty,raw,echo=0,link=${registerPath}`, `pty,raw,echo=0,link=${terminalPath}`], {
    stdio: 'ignore',
  });
  const failed = new Promise<never>((_, reject) => {
    socat.once('error', (e) => reject(new Error(`socat introuvable (apt-get install socat) : ${e.message}`)));
    socat.once('exit', (code) => reject(new Error(`socat s’est arrêté (code ${code})`)));
  });
  const ready = (async () => {
    const deadline = Date.now() + 5000;
    while (!(existsSync(registerPath) && existsSync(terminalPath))) {
      if (Date.now() > deadline) throw new Error('socat n’a pas créé les pseudo-terminaux');
      await new Promise((r) => setTimeout(r, 20));
    }
  })();
  await Promise.race([ready, failed]);
  failed.catch(() => undefined);
  return {
    registerPath,
    terminalPath,
    close: async () => {
      socat.kill('SIGTERM');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
