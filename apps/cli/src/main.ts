import 'reflect-metadata';
import { Command, CommanderError } from 'commander';
import { ConfigError, loadConfig } from '@diapason/config';
import { systemClock } from '@diapason/domain';
import {
  ApiKeyRepository,
  EstablishmentRepository,
  TerminalRepository,
  TransactionContext,
  createDataSource,
  resolveDatabase,
  runMigrations,
} from '@diapason/persistence';
import { TerminalCheck, TerminalClients, formatCheckReport } from '@diapason/terminal-bridge';
import type { DataSource } from 'typeorm';

/** Everything but the command's own answer goes to stderr, so that `$(npm run -s cli -- …)` captures it alone. */
const say = (line: string) => process.stderr.write(`${line}\n`);

async function withDatabase<T>(work: (dataSource: DataSource) => Promise<T>): Promise<T> {
  const config = loadConfig();
  const database = await resolveDatabase(config);
  const dataSource = createDataSource({ url: database.url, poolSize: 2, applicationName: 'diapason-cli' });
  try {
    await dataSource.initialize();
    await runMigrations(dataSource);
    return await work(dataSource);
  } finally {
    if (dataSource.isInitialized) await dataSource.destroy();
    await database.release();
  }
}

export function buildProgram(): Command {
  const program = new Command('diapason')
    .description('Outils d’exploitation DIAPASON')
    .exitOverride()
    .configureOutput({ writeOut: say, writeErr: say });

  program
    .command('api-key:create')
    .description('Crée une clé d’API GAP pour un établissement (créé s’il n’existe pas) et l’affiche une seule fois')
    .argument('<establishmentCode>', 'code de l’établissement, ex. CHU-NANTES')
    .option('--name <name>', 'nom de l’établissement, affiché aux patients')
    .option('--label <label>', 'libellé de la clé (logiciel, environnement)')
    .action(async (code: string, options: { name?: string; label?: string }) => {
      if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$/.test(code)) {
        throw new CommanderError(2, 'invalid_code', `Code d’établissement invalide : « ${code} » (lettres, chiffres, . _ -).`);
      }
      const key = await withDatabase(async (dataSource) => {
        const tx = new TransactionContext(dataSource);
        return tx.run(async () => {
          const establishment = await new EstablishmentRepository(tx).ensure(code, options.name ?? code);
          if (options.name && establishment.name !== options.name) {
            await new EstablishmentRepository(tx).rename(establishment.id, options.name);
          }
          return (await new ApiKeyRepository(tx).create(establishment.id, options.label ?? null)).key;
        });
      });
      process.stdout.write(`${key}\n`);
      say(`Clé créée pour l’établissement ${code}. Elle ne sera plus affichée : conservez-la dans la GAP.`);
    });

  program
    .command('terminal:check')
    .description('Vérifie un terminal (liaison, réponse, temps de réponse) sans mouvement d’argent')
    .argument('<terminalId>', 'identifiant du terminal')
    .option('--establishment <code>', 'établissement du terminal, si plusieurs en ont un de ce nom')
    .action(async (terminalId: string, options: { establishment?: string }) => {
      const ok = await withDatabase(async (dataSource) => {
        const tx = new TransactionContext(dataSource);
        const terminals = new TerminalRepository(tx);
        let candidates = await terminals.findByCodeEverywhere(terminalId);
        if (options.establishment) {
          const establishment = await new EstablishmentRepository(tx).findByCode(options.establishment);
          candidates = candidates.filter((t) => t.establishmentId === establishment?.id);
        }
        if (candidates.length === 0) {
          say(`Aucun terminal « ${terminalId} »${options.establishment ? ` pour l’établissement ${options.establishment}` : ''}.`);
          return false;
        }
        if (candidates.length > 1) {
          say(`Plusieurs établissements ont un terminal « ${terminalId} » : précisez --establishment <code>.`);
          return false;
        }
        const clients = new TerminalClients();
        try {
          const report = await new TerminalCheck(clients, terminals, systemClock).run(candidates[0]);
          process.stdout.write(`${formatCheckReport(report)}\n`);
          return report.ok;
        } finally {
          await clients.onApplicationShutdown();
        }
      });
      if (!ok) process.exitCode = 3;
    });

  program
    .command('migrate')
    .description('Applique les migrations de schéma en attente')
    .action(async () => {
      const config = loadConfig();
      const database = await resolveDatabase(config);
      const dataSource = createDataSource({ url: database.url, poolSize: 1, applicationName: 'diapason-cli' });
      try {
        await dataSource.initialize();
        const applied = await runMigrations(dataSource);
        say(applied.length ? `Migrations appliquées : ${applied.join(', ')}` : 'Schéma à jour.');
      } finally {
        if (dataSource.isInitialized) await dataSource.destroy();
        await database.release();
      }
    });

  return program;
}

async function main(argv: string[]): Promise<void> {
  try {
    await buildProgram().parseAsync(argv);
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.exitCode !== 0 && error.code !== 'commander.help' && error.code !== 'commander.helpDisplayed') {
        if (!error.code.startsWith('commander.')) say(error.message);
      }
      process.exitCode = error.exitCode;
      return;
    }
    if (error instanceof ConfigError) {
      say(error.message);
      process.exitCode = 1;
      return;
    }
    say(`Échec : ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
  }
}

if (require.main === module) void main(process.argv);
