/**
 * SIGTERM / SIGINT: stop taking work, let what runs finish (`close`), then exit 0. A second signal,
 * or a close that hangs past `graceMs`, exits at once.
 */
export function onShutdownSignal(close: () => Promise<void>, graceMs = 25_000): void {
  let closing = false;
  const handler = (signal: NodeJS.Signals) => {
    if (closing) {
      process.exit(130);
    }
    closing = true;
    setTimeout(() => {
      process.stderr.write(`arrêt forcé : ${signal} reçu il y a ${graceMs / 1000} s\n`);
      process.exit(1);
    }, graceMs).unref();
    close().then(
      () => process.exit(0),
      (error: unknown) => {
        process.stderr.write(`arrêt en erreur : ${String(error)}\n`);
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', handler);
  process.on('SIGINT', handler);
}
