import 'reflect-metadata';
import { ConfigError, loadConfig, onShutdownSignal } from '@diapason/config';
import { createWorker } from './bootstrap';

async function main(): Promise<void> {
  const worker = await createWorker(loadConfig());
  onShutdownSignal(() => worker.close());
  await worker.init();
}

main().catch((error: unknown) => {
  console.error(error instanceof ConfigError ? error.message : `Démarrage du worker impossible : ${String(error)}`);
  process.exit(1);
});
