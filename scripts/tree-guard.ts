import { readFileSync, readdirSync } from 'node:fs';

/**
 * Watchdog of `npm start`'s process tree, started by the supervisor with a pipe on its stdin.
 *
 * Every half second it records the supervisor's descendants (PID and start time, from /proc);
 * when the pipe closes, the supervisor is gone (stopped, crashed, killed with SIGKILL: the kernel
 * closes the pipe whatever the cause), and it sends SIGTERM to every recorded process still
 * alive, then SIGKILL to what is left after the grace period. The api and the worker already stop
 * on their own when their IPC channel closes, and PostgreSQL has its own guard; this catches the
 * rest, such as the `socat` of the simulated serial terminal. The subtrees of the PIDs given as
 * third argument (the PostgreSQL guard) are left to their own guard.
 *
 * Usage: node tree-guard.js <supervisor pid> <grace ms> [<spared pid>,…]
 *
 * Runs in its own session (detached), so Ctrl-C and a closed terminal reach it only through the pipe.
 */
const supervisor = Number(process.argv[2] ?? process.ppid);
const graceMs = Number(process.argv[3] ?? 10_000);
const spared = new Set<number>((process.argv[4] ?? '').split(',').filter(Boolean).map(Number));
const recorded = new Map<number, string>();

function stat(pid: number): { ppid: number; start: string; zombie: boolean } | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    return { ppid: Number(fields[1]), start: fields[19], zombie: fields[0] === 'Z' };
  } catch {
    return undefined;
  }
}

function scan(): void {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const pid = Number(entry);
    const info = stat(pid);
    if (!info) continue;
    children.set(info.ppid, [...(children.get(info.ppid) ?? []), pid]);
  }
  const queue = [...(children.get(supervisor) ?? [])];
  while (queue.length > 0) {
    const pid = queue.shift()!;
    if (pid === process.pid || spared.has(pid)) continue;
    const info = stat(pid);
    if (!info || info.zombie) continue;
    recorded.set(pid, info.start);
    queue.push(...(children.get(pid) ?? []));
  }
}

function alive(pid: number, start: string): boolean {
  const info = stat(pid);
  return info !== undefined && !info.zombie && info.start === start;
}

function signalAll(signal: NodeJS.Signals): number {
  let left = 0;
  for (const [pid, start] of recorded) {
    if (!alive(pid, start)) continue;
    left += 1;
    try {
      process.kill(pid, signal);
    } catch {
      // gone meanwhile
    }
  }
  return left;
}

let finishing = false;
function supervisorGone(): void {
  if (finishing) return;
  finishing = true;
  clearInterval(timer);
  if (signalAll('SIGTERM') === 0) process.exit(0);
  const deadline = Date.now() + graceMs;
  setInterval(() => {
    const left = [...recorded].filter(([pid, start]) => alive(pid, start)).length;
    if (left === 0) process.exit(0);
    if (Date.now() > deadline) {
      signalAll('SIGKILL');
      process.exit(0);
    }
  }, 100);
}

process.title = 'diapason-tree-guard';
const timer = setInterval(scan, 500);
scan();
process.stdin.resume();
process.stdin.on('end', supervisorGone);
process.stdin.on('close', supervisorGone);
process.stdin.on('error', supervisorGone);
for (const signal of ['SIGINT', 'SIGHUP'] as const) process.on(signal, () => undefined);
