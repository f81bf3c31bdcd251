// Installs the system packages the tests drive for real (Chromium for the patient pages, socat for
// the serial pty pairs, PostgreSQL's pg_dump / pg_restore for `diapason backup`, with the server of
// the same version for when they are older than the embedded server) when they are missing, so
// that a fresh machine passes `npm test` alone.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

const debianPostgres = () => {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return false;
  return readdirSync(root).some((v) => ['pg_dump', 'pg_restore', 'postgres', 'initdb'].every((b) => existsSync(join(root, v, 'bin', b))));
};

const needed = [
  { pkg: 'chromium', present: () => existsSync('/usr/bin/chromium') || Boolean(process.env.CHROMIUM_PATH) },
  { pkg: 'socat', present: () => spawnSync('socat', ['-V'], { stdio: 'ignore' }).status === 0 },
  { pkg: 'postgresql', present: debianPostgres },
];

const missing = needed.filter((n) => !n.present()).map((n) => n.pkg);
if (missing.length === 0) process.exit(0);

const asRoot = typeof process.getuid === 'function' && process.getuid() === 0;
const prefix = asRoot ? [] : ['sudo', '-n'];
const run = (args) => {
  const [cmd, ...rest] = [...prefix, ...args];
  return (
    spawnSync(cmd, rest, {
      stdio: ['ignore', 'ignore', 'inherit'],
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    }).status === 0
  );
};

process.stderr.write(`[tests] installing missing system packages: ${missing.join(', ')}\n`);
const install = ['apt-get', 'install', '-y', '-q', '--no-install-recommends', ...missing];
if (!run(install)) {
  run(['apt-get', 'update', '-q']);
  if (!run(install)) {
    process.stderr.write(
      `[tests] could not install ${missing.join(', ')}; install them (Debian: apt-get install ${missing.join(' ')}) and run again\n`,
    );
    process.exit(1);
  }
}
try {
  execFileSync('socat', ['-V'], { stdio: 'ignore' });
} catch {
  process.stderr.write('[tests] socat still missing after installation\n');
  process.exit(1);
}
