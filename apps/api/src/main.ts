import 'reflect-metadata';
import { ConfigError, loadConfig } from '@diapason/config';
import { createApiApp } from './bootstrap';

async function main(): Promise<void> {
  const config = loadConfig();
  const app = await createApiApp(config);
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
