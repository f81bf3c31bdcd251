import 'reflect-metadata';
import { ChildProcess, spawn } from 'node:child_process';
import { resolve } from 'node:path';
import pretty from 'pino-pretty';
import { ConfigError, DiapasonConfig, loadConfig } from '@diapason/config';
import { ResolvedDatabase, createDataSource, resolveDatabase, runMigrations } from '@diapason/persistence';
import { seedDemo } from './demo-seed';

/**
 * `npm start`: the whole system on one machine. PostgreSQL (embedded unless DATABASE_URL is set),
 * migrations, the simulators, then the api and worker processes, supervised and stopped together.
 */
const log = (line: string) => process.stdout.write(`[diapason] ${line}\n`);

interface Supervised {
  name: string;
  script: string;
  child?: ChildProcess;
  restarts: number;
}

async function main(): Promise<void> {
  const config = loadConfig();
  const database = await resolveDatabase(config, () => undefined);
  log(`PostgreSQL : ${database.origin}`);
  const cleanups: (() => Promise<void>)[] = [() => database.release()];

  const dataSource = createDataSource({ url: database.url, poolSize: 2, applicationName: 'diapason-start' });
  await dataSource.initialize();
  const applied = await runMigrations(dataSource);
  log(applied.length ? `migrations appliquées : ${applied.join(', ')}` : 'schéma à jour');
  await seedDemo(dataSource);
  await dataSource.destroy();

  const env: NodeJS.ProcessEnv = { ...process.env, DATABASE_URL: database.url };
  const processes: Supervised[] = [
    { name: 'api', script: 'dist/apps/api/src/main.js', restarts: 0 },
    { name: 'worker', script: 'dist/apps/worker/src/main.js', restarts: 0 },
  ];
  let stopping = false;

  const launch = (p: Supervised) => {
    const child = spawn(process.execPath, [resolve(p.script)], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    p.child = child;
    const prettyOut = pretty({
      colorize: process.stdout.isTTY,
      translateTime: 'SYS:HH:MM:ss',
      ignore: 'pid,hostname,service,name,context',
      messageFormat: '[{service}] {msg}',
      singleLine: true,
    });
    child.stdout!.pipe(prettyOut).pipe(process.stdout);
    child.stderr!.pipe(process.stderr);
    child.on('exit', (code, signal) => {
      if (stopping) return;
      p.restarts += 1;
      if (p.restarts > 5) {
        log(`${p.name} s’est arrêté ${p.restarts} fois (code ${code ?? signal}) : arrêt général`);
        void shutdown(1);
        return;
      }
      const delay = 500 * 2 ** p.restarts;
      log(`${p.name} arrêté (code ${code ?? signal}), redémarrage dans ${delay} ms`);
      setTimeout(() => !stopping && launch(p), delay).unref();
    });
  };

  const shutdown = async (exitCode = 0) => {
    if (stopping) return;
    stopping = true;
    log('arrêt en cours…');
    await Promise.all(
      processes.map(
        (p) =>
          new Promise<void>((done) => {
            const child = p.child;
            if (!child || child.exitCode !== null || child.signalCode !== null) return done();
            const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
            child.once('exit', () => {
              clearTimeout(timer);
              done();
            });
            child.kill('SIGTERM');
          }),
      ),
    );
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
    log('arrêté');
    process.exit(exitCode);
  };
  process.on('SIGINT', () => void shutdown(0));
  process.on('SIGTERM', () => void shutdown(0));

  processes.forEach(launch);
  printBanner(config, database);
}

function printBanner(config: DiapasonConfig, database: ResolvedDatabase): void {
  const base = config.http.publicBaseUrl;
  log('');
  log('DIAPASON est démarré :');
  log(`  API GAP ............ ${base}/v1`);
  log(`  Documentation ...... ${base}/docs   (OpenAPI : ${base}/docs-json)`);
  log(`  Santé .............. ${base}/health`);
  log(`  Base de données .... ${database.url.replace(/:[^:@/]+@/, ':***@')}`);
  log('  Clé d’API de démonstration : npm run -s cli -- api-key:create DEMO');
  log('');
}

main().catch((error: unknown) => {
  process.stderr.write(
    error instanceof ConfigError ? `${error.message}\n` : `Démarrage impossible : ${error instanceof Error ? error.stack : String(error)}\n`,
  );
  process.exit(1);
});
