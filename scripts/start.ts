import 'reflect-metadata';
import { ChildProcess, spawn } from 'node:child_process';
import { resolve } from 'node:path';
import pretty from 'pino-pretty';
import type { Socket } from 'node:net';
import { ConfigError, DiapasonConfig, PortClaim, PortsBusyError, assertPortsFree, describeError, loadConfig, loadEnvFile } from '@diapason/config';
import { EmbeddedPostgresError, ResolvedDatabase, createDataSource, resolveDatabase, runMigrations } from '@diapason/persistence';
import { ensureTokenSecret } from './token-secret';
import { registerDemoTerminals, seedConsoleUsers, seedDemo } from './demo-seed';

/**
 * `npm start`: the whole system on one machine. PostgreSQL (embedded unless DATABASE_URL is set),
 * migrations, the simulators, then the api and worker processes, supervised and stopped together.
 *
 * Nothing outlives the supervisor, whatever stops it (Ctrl-C, SIGTERM, a closed terminal, a crash,
 * kill -9): the api and the worker get an IPC channel and stop when it closes; PostgreSQL runs
 * under a guard that stops it when our pipe closes; a watchdog (tree-guard) ends whatever else
 * the supervisor started (socat of the simulated serial line).
 */
const log = (line: string) => process.stdout.write(`[diapason] ${line}\n`);

interface Supervised {
  name: string;
  script: string;
  child?: ChildProcess;
  restarts: number;
}

const cleanups: (() => Promise<void>)[] = [];

/** The ports `npm start` listens on, checked together before anything starts. */
function claimedPorts(config: DiapasonConfig): PortClaim[] {
  const claims: PortClaim[] = [{ port: config.http.port, host: config.http.host, variable: 'PORT', what: 'l’api' }];
  const worker = config.observability;
  if (worker.workerPort !== 0) claims.push({ port: worker.workerPort, host: worker.workerHost, variable: 'DIAPASON_WORKER_PORT', what: 'le worker' });
  if (config.simulators.enabled) {
    const sim = config.simulators;
    claims.push(
      { port: sim.terminalPort, host: '127.0.0.1', variable: 'DIAPASON_SIM_TERMINAL_PORT', what: 'terminaux simulés' },
      { port: sim.acquirerPort, host: '127.0.0.1', variable: 'DIAPASON_SIM_ACQUIRER_PORT', what: 'serveur d’acceptation simulé' },
      { port: sim.smsPort, host: '127.0.0.1', variable: 'DIAPASON_SIM_SMS_PORT', what: 'passerelle SMS simulée' },
      { port: sim.smtpPort, host: '127.0.0.1', variable: 'DIAPASON_SIM_SMTP_PORT', what: 'SMTP simulé' },
      { port: sim.mailPort, host: '127.0.0.1', variable: 'DIAPASON_SIM_MAIL_PORT', what: 'courriels simulés' },
    );
    if (!config.oidc) claims.push({ port: sim.oidcPort, host: '127.0.0.1', variable: 'DIAPASON_SIM_OIDC_PORT', what: 'annuaire simulé' });
  }
  return claims;
}

/** The watchdog that ends what the supervisor started, should the supervisor die without doing it. */
function startTreeGuard(config: DiapasonConfig, spared: number[]): void {
  const guard = spawn(
    process.execPath,
    [resolve(__dirname, 'tree-guard.js'), String(process.pid), String(config.shutdownGraceMs + 5_000), spared.join(',')],
    {
      stdio: ['pipe', 'ignore', 'inherit'],
      detached: true,
    },
  );
  guard.stdin.on('error', () => undefined);
  guard.unref();
  (guard.stdin as Socket).unref();
}

async function main(): Promise<void> {
  loadEnvFile();
  const config = loadConfig(process.env, { role: 'start' });
  if (!config.simulators.enabled) {
    // What the api and the worker would refuse (no notification channel without the simulators) is
    // said now, once, before anything starts, rather than by five restarts of each. The database
    // URL and the patient-link secret are provided below.
    loadConfig(
      {
        ...process.env,
        DATABASE_URL: process.env.DATABASE_URL || 'postgres://embedded/diapason',
        DIAPASON_TOKEN_SECRET: process.env.DIAPASON_TOKEN_SECRET || 'x'.repeat(32),
      },
      { role: 'worker' },
    );
  }
  await assertPortsFree(claimedPorts(config));
  const database = await resolveDatabase(config, () => undefined);
  cleanups.push(() => database.release());
  log(`PostgreSQL : ${database.origin}${database.pids ? ` (PID ${database.pids.postmaster})` : ''}`);
  startTreeGuard(config, database.pids ? [database.pids.guard] : []);

  const dataSource = createDataSource({ url: database.url, poolSize: 2, applicationName: 'diapason-start' });
  await dataSource.initialize();
  const applied = await runMigrations(dataSource);
  log(applied.length ? `migrations appliquées : ${applied.join(', ')}` : 'schéma à jour');
  await seedDemo(dataSource);
  const consoleUsers = await seedConsoleUsers(dataSource);

  const env: NodeJS.ProcessEnv = { ...process.env, DATABASE_URL: database.url };
  // The patient-link secret must survive restarts, or links already sent stop working.
  env.DIAPASON_TOKEN_SECRET ??= ensureTokenSecret(config.dataDir);
  // The demo's debits and abandons show up within a second of their due time.
  if (config.simulators.enabled) env.DIAPASON_SCHEDULER_CRON ??= '* * * * * *';
  const simulators: string[] = [];
  if (config.simulators.enabled) {
    // Loaded only when used: the simulators' packages (smtp-server, mailparser) are development
    // dependencies, absent from a production install (npm ci --omit=dev).
    const { socatAvailable, startTerminalSimulator, simulatorTerminalEnv } = await import('../simulators/terminal/index.js');
    // The simulated terminals listen on the loopback and on ptys of the temporary folder: the api
    // and the worker may reach them, on top of what the configuration allows.
    Object.assign(env, simulatorTerminalEnv(config.terminals));
    const { startAcquirerSimulator } = await import('../simulators/acquirer/index.js');
    const { startSmsGatewaySimulator } = await import('../simulators/sms-gateway/index.js');
    const { startSmtpSink } = await import('../simulators/smtp/index.js');
    const terminalSim = await startTerminalSimulator({ controlPort: config.simulators.terminalPort });
    cleanups.push(() => terminalSim.stop());
    // The desk terminal on a serial line (a pty pair) when socat is here; the mobile one over IP.
    const ict = await terminalSim.add({
      id: 'TPE-ICT250',
      model: 'ICT250',
      transport: socatAvailable() ? 'v2-serial' : 'v2-tcp',
      baudRate: socatAvailable() ? 9600 : undefined,
      answerDelayMs: 800,
    });
    const iwl = await terminalSim.add({ id: 'TPE-IWL280', model: 'iWL280', transport: 'v3-tcp', answerDelayMs: 800 });
    await registerDemoTerminals(dataSource, [
      { id: 'TPE-ICT250', label: 'ICT250 simulé — guichet des admissions', model: 'ICT250', transportUrl: ict.transportUrl },
      { id: 'TPE-IWL280', label: 'iWL280 simulé — terminal mobile', model: 'iWL280', transportUrl: iwl.transportUrl },
    ]);
    const sid = 'ACdemo00000000000000000000000000';
    const authToken = env.TWILIO_AUTH_TOKEN ?? 'demo-auth-token-0123456789abcdef';
    const smsSim = await startSmsGatewaySimulator({
      port: config.simulators.smsPort,
      accountSid: env.TWILIO_ACCOUNT_SID ?? sid,
      authToken,
      deliveryDelayMs: 1500,
    });
    cleanups.push(() => smsSim.stop());
    if (!env.TWILIO_ACCOUNT_SID) {
      Object.assign(env, { TWILIO_ACCOUNT_SID: sid, TWILIO_AUTH_TOKEN: authToken, TWILIO_FROM: 'CHDEMO', TWILIO_API_BASE_URL: smsSim.url });
    }
    const smtpSink = await startSmtpSink({
      smtpPort: config.simulators.smtpPort,
      httpPort: config.simulators.mailPort,
      openDelayMs: 3000,
    });
    cleanups.push(() => smtpSink.stop());
    env.SMTP_URL ??= smtpSink.smtpUrl;
    env.MAIL_FROM ??= 'Centre hospitalier de démonstration <ne-pas-repondre@demo.test>';
    simulators.push(`SMS reçus ......... ${smsSim.url}/   (numéros en …0000 : non remis)`);
    simulators.push(`Courriels reçus ... ${smtpSink.httpUrl}/   (@bounce.test refusées, @noopen.test jamais ouvertes)`);
    const acquirerSim = await startAcquirerSimulator({ port: config.simulators.acquirerPort });
    cleanups.push(() => acquirerSim.stop());
    env.ACQUIRER_URL ??= acquirerSim.url;
    simulators.push(`Serveur d’acceptation simulé ${acquirerSim.url}/ledger   (débits ; montants en …51 ou …54 refusés)`);
    if (!config.oidc) {
      // The console's single sign-on against the simulated directory, with its demo users.
      const { startOidcProvider, DEMO_USERS, DEFAULT_CONSOLE_CLIENT } = await import('../simulators/oidc/index.js');
      const op = await startOidcProvider({ port: config.simulators.oidcPort });
      cleanups.push(() => op.stop());
      Object.assign(env, {
        DIAPASON_OIDC_ISSUER: op.issuer,
        DIAPASON_OIDC_CLIENT_ID: DEFAULT_CONSOLE_CLIENT.clientId,
        DIAPASON_OIDC_CLIENT_SECRET: DEFAULT_CONSOLE_CLIENT.clientSecret,
      });
      simulators.push(`Annuaire simulé .... ${op.issuer}   (connexion à la console par l’annuaire ; comptes de démonstration :)`);
      for (const u of DEMO_USERS) {
        simulators.push(`    ${u.login.padEnd(14)} ${u.password.padEnd(26)} ${u.roles.join(', ') || '(aucun rôle : refusé)'} — ${u.establishment}`);
      }
    }
    simulators.push(
      `Terminaux simulés . ${terminalSim.controlUrl}/terminals   (TPE-ICT250 : ${ict.transportUrl} ; TPE-IWL280 : ${iwl.transportUrl})`,
    );
  }
  await dataSource.destroy();

  const processes: Supervised[] = [
    { name: 'api', script: resolve(__dirname, '../apps/api/src/main.js'), restarts: 0 },
    { name: 'worker', script: resolve(__dirname, '../apps/worker/src/main.js'), restarts: 0 },
  ];
  let stopping = false;

  const launch = (p: Supervised) => {
    // The IPC channel is the child's lifeline: it closes when this process ends, however it ends,
    // and the child then stops by itself (onShutdownSignal).
    const child = spawn(process.execPath, [p.script], { env, stdio: ['ignore', 'pipe', 'pipe', 'ipc'] });
    p.child = child;
    const prettyOut = pretty({
      colorize: process.stdout.isTTY,
      translateTime: 'SYS:HH:MM:ss',
      ignore: 'pid,hostname,service,name,context',
      messageFormat: '[{service}] {msg}',
      singleLine: true,
      destination: 1,
    });
    child.stdout!.pipe(prettyOut);
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
            const timer = setTimeout(() => child.kill('SIGKILL'), config.shutdownGraceMs + 5_000);
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
  process.on('SIGHUP', () => void shutdown(0));

  processes.forEach(launch);
  printBanner(config, database, simulators);
  log('Comptes locaux de la console (établissement DEMO ; mot de passe à usage unique, à changer à la première connexion) :');
  for (const u of consoleUsers) log(`  ${u.login.padEnd(20)} ${u.password ?? '(déjà créé : mot de passe choisi à la première connexion)'}`);
  log('');
}

function printBanner(config: DiapasonConfig, database: ResolvedDatabase, simulators: string[]): void {
  const base = config.http.publicBaseUrl;
  log('');
  log('DIAPASON est démarré :');
  log(`  API GAP ............ ${base}/v1`);
  log(`  Console de la régie  ${base}/console   (établissement DEMO)`);
  log(`  Documentation ...... ${base}/docs   (OpenAPI : ${base}/docs-json)`);
  log(`  Santé .............. ${base}/health`);
  log(
    `  Métriques .......... ${base}/metrics${config.observability.workerPort ? ` ; worker : http://127.0.0.1:${config.observability.workerPort}/metrics` : ''}`,
  );
  log(`  Base de données .... ${database.url.replace(/:[^:@/]+@/, ':***@')}`);
  for (const line of simulators) log(`  ${line}`);
  log('  Clé d’API de démonstration : npm run -s cli -- api-key:create DEMO');
  log('');
}

main().catch(async (error: unknown) => {
  const complete = error instanceof ConfigError || error instanceof PortsBusyError || error instanceof EmbeddedPostgresError;
  const verbose = ['debug', 'trace'].includes(process.env.LOG_LEVEL ?? '');
  process.stderr.write(complete ? `${error.message}\n` : `Démarrage impossible : ${describeError(error, verbose)}\n`);
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
  process.exit(1);
});
