import 'reflect-metadata';
import { ConfigError, describeError, describeListenError, loadConfig, loadEnvFile, onShutdownSignal } from '@diapason/config';
import { createApiApp } from './bootstrap';

/** An error whose message is complete for the operator (French): printed without a stack. */
class StartError extends Error {}

async function main(): Promise<void> {
  loadEnvFile();
  // Every missing or wrong setting is named here, at once, before Nest builds anything.
  const config = loadConfig(process.env, { role: 'api' });
  const app = await createApiApp(config);
  // Closing stops accepting connections, lets running requests end, then closes the pool; a
  // close that hangs past DIAPASON_SHUTDOWN_GRACE exits by force. Under `npm start`, the api
  // also stops when its supervisor disappears.
  onShutdownSignal(() => app.close(), config.shutdownGraceMs);
  try {
    await app.listen(config.http.port, config.http.host);
  } catch (error) {
    const message = describeListenError(error, { port: config.http.port, host: config.http.host, variable: 'PORT', what: 'l’api' });
    if (message) throw new StartError(message);
    throw error;
  }
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError || error instanceof StartError) {
    console.error(error.message);
  } else {
    const verbose = ['debug', 'trace'].includes(process.env.LOG_LEVEL ?? '');
    console.error(`Démarrage de l’api impossible : ${describeError(error, verbose)}`);
  }
  process.exit(1);
});
