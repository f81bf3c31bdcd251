/**
 * SIGTERM / SIGINT: stop taking work, let what runs finish (`close`), then exit 0. A second signal,
 * or a close that hangs past `graceMs` (a database that vanished, a provider that never answers),
 * exits at once: the deadline is a plain timer armed before `close` starts, so nothing `close`
 * waits on can hold it back.
 *
 * A process started by `npm start` also gets an IPC channel from its supervisor: when that channel
 * closes, the supervisor is gone (Ctrl-C, crash, kill -9, closed terminal: the kernel closes the
 * channel whatever the cause), and the process shuts down the same way instead of living on as an
 * orphan.
 */
export function onShutdownSignal(close: () => Promise<void>, graceMs = 25_000): void {
  let closing = false;
  const handler = (reason: NodeJS.Signals | 'disconnect') => {
    if (closing) {
      if (reason !== 'disconnect') process.exit(130);
      return;
    }
    closing = true;
    if (reason === 'disconnect') process.stderr.write('superviseur disparu : arrêt\n');
    setTimeout(() => {
      process.stderr.write(`arrêt forcé : ${reason === 'disconnect' ? 'superviseur disparu' : `${reason} reçu`} il y a ${graceMs / 1000} s\n`);
      process.exit(1);
    }, graceMs).unref();
    close().then(
      () => process.exit(0),
      (error: unknown) => {
        process.stderr.write(`arrêt en erreur : ${error instanceof Error ? error.message : String(error)}\n`);
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', handler);
  process.on('SIGINT', handler);
  watchSupervisor(() => handler('disconnect'));
}

/**
 * Calls `onGone` when the supervisor that started this process with an IPC channel disappears.
 * Without a channel (systemd, a terminal, the tests), does nothing.
 */
export function watchSupervisor(onGone: () => void): void {
  if (!process.channel) return;
  process.once('disconnect', onGone);
  // The channel must not keep the process alive by itself.
  process.channel.unref();
}
