import 'reflect-metadata';
import { ConfigError, describeError, loadConfig, loadEnvFile, onShutdownSignal } from '@diapason/config';
import { createWorker } from './bootstrap';

async function main(): Promise<void> {
  loadEnvFile();
  // Every missing or wrong setting is named here, at once, before Nest builds anything.
  const config = loadConfig(process.env, { role: 'worker' });
  const worker = await createWorker(config);
  // No new tick after SIGTERM; what runs finishes, unless it outlasts DIAPASON_SHUTDOWN_GRACE (a
  // database gone for good): then the worker exits by force. Under `npm start`, the worker also
  // stops when its supervisor disappears.
  onShutdownSignal(() => worker.close(), config.shutdownGraceMs);
  await worker.init();
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError) {
    console.error(error.message);
  } else {
    const verbose = ['debug', 'trace'].includes(process.env.LOG_LEVEL ?? '');
    console.error(`Démarrage du worker impossible : ${describeError(error, verbose)}`);
  }
  process.exit(1);
});
