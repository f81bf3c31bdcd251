import 'reflect-metadata';
import { ConfigError, loadConfig, onShutdownSignal } from '@diapason/config';
import { createApiApp } from './bootstrap';

async function main(): Promise<void> {
  const config = loadConfig();
  const app = await createApiApp(config);
  // Closing stops accepting connections, lets running requests end, then closes the pool.
  onShutdownSignal(() => app.close());
  await app.listen(config.http.port, config.http.host);
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError) {
    console.error(error.message);
  } else {
    console.error('Démarrage de l’API impossible :', error);
  }
  process.exit(1);
});
