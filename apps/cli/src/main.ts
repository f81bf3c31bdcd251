#!/usr/bin/env node
import 'reflect-metadata';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Command, CommanderError, Help } from 'commander';
import { ConfigError, DiapasonConfig, PortsBusyError, describeError, loadConfig, loadEnvFile } from '@diapason/config';
import { systemClock } from '@diapason/domain';
import {
  API_KEY_SCOPES,
  API_KEY_SCOPE_LABELS,
  ApiKeyRepository,
  CONSOLE_ROLES,
  ConsoleRepository,
  DEFAULT_API_KEY_SCOPES,
  EstablishmentRepository,
  TerminalRepository,
  EmbeddedPostgresError,
  TransactionContext,
  createDataSource,
  hashPassword,
  oneTimePassword,
  parseApiKeyScopes,
  isConsoleLogin,
  parseConsoleRoles,
  resolveDatabase,
  runMigrations,
} from '@diapason/persistence';
import { TerminalCheck, TerminalClients, accessPolicyOf, formatCheckReport } from '@diapason/terminal-bridge';
import type { DataSource } from 'typeorm';
import { PgToolError, backup, defaultBackupFile, otherDiapasonSessions, restore } from './pg-tools';

/** Everything but the command's own answer goes to stderr, so that `$(npm run -s cli -- …)` captures it alone. */
const say = (line: string) => process.stderr.write(`${line}\n`);

/** Exit codes, documented in `diapason --help` and in docs/operations/exploitation.md. */
export const EXIT = { ok: 0, error: 1, usage: 2, terminalNotReady: 3 } as const;

/** A failure whose message is complete for the operator (French): printed alone, exit code 1. */
class CommandError extends Error {}

function packageVersion(): string {
  for (let dir = __dirname; dir !== dirname(dir); dir = dirname(dir)) {
    const file = join(dir, 'package.json');
    if (!existsSync(file)) continue;
    const pkg = JSON.parse(readFileSync(file, 'utf8')) as { name?: string; version?: string };
    if (pkg.name === 'diapason') return pkg.version ?? 'inconnue';
  }
  return 'inconnue';
}

const TITLES: Record<string, string> = {
  'Usage:': 'Utilisation :',
  'Options:': 'Options :',
  'Commands:': 'Commandes :',
  'Arguments:': 'Arguments :',
  'Global Options:': 'Options générales :',
};

/** Commander's own error messages, in French. */
function frenchError(message: string): string {
  const text = message.replace(/^error: /, '').trim();
  const rules: [RegExp, (...m: string[]) => string][] = [
    [
      /^unknown command '(.*)'(?:\n\(Did you mean (.*)\?\))?$/s,
      (name, hint) => `commande inconnue : « ${name} »${hint ? ` (vouliez-vous dire ${hint} ?)` : ''}`,
    ],
    [
      /^unknown option '(.*)'(?:\n\(Did you mean (.*)\?\))?$/s,
      (name, hint) => `option inconnue : ${name}${hint ? ` (vouliez-vous dire ${hint} ?)` : ''}`,
    ],
    [/^missing required argument '(.*)'$/, (name) => `argument obligatoire manquant : <${name}>`],
    [/^option '(.*)' argument missing$/, (flags) => `l’option ${flags} attend une valeur`],
    [/^required option '(.*)' not specified$/, (flags) => `option obligatoire absente : ${flags}`],
    [/^too many arguments(?: for '(.*)')?\..*$/s, (name) => `trop d’arguments${name ? ` pour ${name}` : ''}`],
  ];
  for (const [pattern, translate] of rules) {
    const match = pattern.exec(text);
    if (match) return translate(...match.slice(1));
  }
  return text;
}

async function withDatabase<T>(work: (dataSource: DataSource, config: DiapasonConfig) => Promise<T>): Promise<T> {
  const config = loadConfig(process.env, { role: 'cli' });
  const database = await resolveDatabase(config);
  const dataSource = createDataSource({ url: database.url, poolSize: 2, applicationName: 'diapason-cli' });
  try {
    await dataSource.initialize();
    await runMigrations(dataSource);
    return await work(dataSource, config);
  } finally {
    if (dataSource.isInitialized) await dataSource.destroy();
    await database.release();
  }
}

export function buildProgram(): Command {
  const program = new Command('diapason')
    .description('Outils d’exploitation de DIAPASON (paiement différé par carte des restes à charge hospitaliers).')
    .version(packageVersion(), '-V, --version', 'affiche la version')
    .usage('[options] [commande]')
    .helpOption('-h, --help', 'affiche l’aide')
    .helpCommand('help [commande]', 'affiche l’aide d’une commande')
    .configureHelp({ styleTitle: (title: string) => TITLES[title] ?? title, sortSubcommands: false } as Partial<Help>)
    .showSuggestionAfterError(true)
    .exitOverride()
    .configureOutput({
      writeOut: (text) => process.stdout.write(text),
      writeErr: (text) => process.stderr.write(text),
      outputError: (text, write) => write(`Erreur : ${frenchError(text)}\nAide : diapason --help\n`),
    })
    .addHelpText(
      'after',
      [
        '',
        'Base de données : DATABASE_URL, ou à défaut le PostgreSQL embarqué de $DIAPASON_DATA_DIR/pg',
        '(celui que lance npm start, ou démarré le temps de la commande). Un fichier .env du dossier',
        'courant est lu s’il existe ; liste des variables : .env.example.',
        '',
        'Codes de sortie :',
        '  0  succès',
        '  1  erreur (configuration invalide, base injoignable, échec de la sauvegarde…)',
        '  2  usage : commande, option ou argument inconnu, manquant ou invalide',
        '  3  terminal:check : le terminal n’est pas prêt',
      ].join('\n'),
    );

  program
    .command('api-key:create')
    .description('Crée une clé d’API GAP pour un établissement (créé s’il n’existe pas) et l’affiche une seule fois')
    .argument('<establishmentCode>', 'code de l’établissement, ex. CHU-NANTES')
    .option('--name <name>', 'nom de l’établissement, affiché aux patients')
    .option('--label <label>', 'libellé de la clé (logiciel, environnement)')
    .option(
      '--scopes <portées>',
      `portées de la clé, séparées par des virgules (défaut : ${DEFAULT_API_KEY_SCOPES.join(',')}) :\n` +
        API_KEY_SCOPES.map((scope) => `  ${scope} : ${API_KEY_SCOPE_LABELS[scope]}`).join('\n'),
    )
    .action(async (code: string, options: { name?: string; label?: string; scopes?: string }) => {
      if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$/.test(code)) {
        throw new CommanderError(EXIT.usage, 'invalid_code', `Code d’établissement invalide : « ${code} » (lettres, chiffres, . _ -).`);
      }
      const { scopes, unknown } = parseApiKeyScopes(options.scopes ?? DEFAULT_API_KEY_SCOPES.join(','));
      if (unknown.length > 0 || scopes.length === 0) {
        const known = `portées possibles : ${API_KEY_SCOPES.join(', ')}`;
        throw new CommanderError(
          EXIT.usage,
          'invalid_scopes',
          unknown.length > 0
            ? `${unknown.length > 1 ? 'Portées inconnues' : 'Portée inconnue'} : ${unknown.map((name) => `« ${name} »`).join(', ')} (${known}).`
            : `Aucune portée dans --scopes (${known}).`,
        );
      }
      const key = await withDatabase(async (dataSource) => {
        const tx = new TransactionContext(dataSource);
        return tx.run(async () => {
          const establishment = await new EstablishmentRepository(tx).ensure(code, options.name ?? code);
          if (options.name && establishment.name !== options.name) {
            await new EstablishmentRepository(tx).rename(establishment.id, options.name);
          }
          return (await new ApiKeyRepository(tx).create(establishment.id, { label: options.label ?? null, scopes })).key;
        });
      });
      process.stdout.write(`${key}\n`);
      say(`Clé créée pour l’établissement ${code} (portées : ${scopes.join(', ')}). Elle ne sera plus affichée : conservez-la dans la GAP.`);
    });

  program
    .command('api-key:list')
    .description('Liste les clés d’API GAP (préfixe, établissement, portées, création, révocation) ; jamais les clés elles-mêmes')
    .argument('[establishmentCode]', 'code de l’établissement (défaut : tous)')
    .action(async (code: string | undefined) => {
      const keys = await withDatabase(async (dataSource) => {
        const tx = new TransactionContext(dataSource);
        let establishmentId: string | undefined;
        if (code) {
          const establishment = await new EstablishmentRepository(tx).findByCode(code);
          if (!establishment) throw new CommandError(`Établissement inconnu : « ${code} ».`);
          establishmentId = establishment.id;
        }
        return new ApiKeyRepository(tx).list(establishmentId);
      });
      for (const key of keys) {
        const state = key.revokedAt ? `révoquée le ${key.revokedAt.toISOString()}` : 'active';
        process.stdout.write(
          `${key.prefix}\t${key.establishmentCode}\t${key.scopes.join(',')}\t${key.createdAt.toISOString()}\t${state}\t${key.label ?? ''}\n`,
        );
      }
      say(keys.length === 0 ? 'Aucune clé.' : `${keys.length} clé(s) : préfixe, établissement, portées, création, état, libellé.`);
    });

  program
    .command('api-key:revoke')
    .description('Révoque la clé d’API active dont le préfixe commence ainsi (tel qu’affiché par api-key:list)')
    .argument('<prefix>', 'début de la clé, au moins 8 caractères (ex. dpk_AbCd)')
    .option('--establishment <code>', 'établissement de la clé')
    .action(async (prefix: string, options: { establishment?: string }) => {
      if (prefix.length < 8) throw new CommanderError(EXIT.usage, 'invalid_prefix', 'Préfixe trop court : donnez au moins 8 caractères.');
      const revoked = await withDatabase(async (dataSource) => {
        const tx = new TransactionContext(dataSource);
        return tx.run(async () => {
          let establishmentId: string | undefined;
          if (options.establishment) {
            const establishment = await new EstablishmentRepository(tx).findByCode(options.establishment);
            if (!establishment) throw new CommandError(`Établissement inconnu : « ${options.establishment} ».`);
            establishmentId = establishment.id;
          }
          return new ApiKeyRepository(tx).revokeByPrefix(prefix, systemClock.now(), establishmentId);
        });
      });
      if (revoked.length === 0) throw new CommandError(`Aucune clé active ne commence par « ${prefix} ».`);
      if (revoked.length > 1) {
        throw new CommandError(
          `Plusieurs clés actives commencent par « ${prefix} » (${revoked.map((k) => `${k.prefix} ${k.establishmentCode}`).join(', ')}) : donnez un préfixe plus long.`,
        );
      }
      process.stdout.write(`${revoked[0].prefix}\n`);
      say(`Clé ${revoked[0].prefix} de l’établissement ${revoked[0].establishmentCode} révoquée : la GAP qui l’utilise reçoit désormais 401.`);
    });

  program
    .command('user:create')
    .description('Crée un compte local de la console et affiche son mot de passe à usage unique (à changer à la première connexion)')
    .argument('<establishmentCode>', 'code de l’établissement (créé s’il n’existe pas)')
    .argument('<login>', 'identifiant de connexion, ex. marie.durand')
    .argument('<roles>', `rôles séparés par des virgules : ${CONSOLE_ROLES.join(', ')}`)
    .option('--name <nom>', 'nom affiché, ex. « Marie Durand »')
    .action(async (code: string, login: string, rolesText: string, options: { name?: string }) => {
      if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$/.test(code)) {
        throw new CommanderError(EXIT.usage, 'invalid_code', `Code d’établissement invalide : « ${code} » (lettres, chiffres, . _ -).`);
      }
      if (!isConsoleLogin(login)) {
        throw new CommanderError(EXIT.usage, 'invalid_login', `Identifiant invalide : « ${login} » (lettres, chiffres, . _ @ -).`);
      }
      const { roles, unknown } = parseConsoleRoles(rolesText);
      if (unknown.length > 0 || roles.length === 0) {
        throw new CommanderError(
          EXIT.usage,
          'invalid_roles',
          `${unknown.length > 0 ? `Rôle(s) inconnu(s) : ${unknown.map((r) => `« ${r} »`).join(', ')}` : 'Aucun rôle'} (rôles possibles : ${CONSOLE_ROLES.join(', ')}).`,
        );
      }
      const password = oneTimePassword();
      const passwordHash = await hashPassword(password);
      await withDatabase(async (dataSource) => {
        const tx = new TransactionContext(dataSource);
        await tx.run(async () => {
          const establishment = await new EstablishmentRepository(tx).ensure(code, code);
          const users = new ConsoleRepository(tx);
          if (await users.findUserByLogin(establishment.id, login)) {
            throw new CommandError(`Le compte « ${login} » existe déjà pour l’établissement ${code}.`);
          }
          const user = await users.createUser({
            establishmentId: establishment.id,
            login,
            roles,
            displayName: options.name ?? null,
            passwordHash,
            mustChangePassword: true,
          });
          await users.audit({
            at: systemClock.now(),
            establishmentId: establishment.id,
            userId: null,
            login: null,
            action: 'user.create',
            target: user.login,
            detail: { roles, by: 'cli' },
          });
        });
      });
      process.stdout.write(`${password}\n`);
      say(
        `Compte « ${login} » créé pour l’établissement ${code} (rôles : ${roles.join(', ')}). Mot de passe à usage unique ci-dessus : ` +
          'à communiquer à la personne, qui en choisira un à sa première connexion à /console.',
      );
    });

  program
    .command('terminal:check')
    .description('Vérifie un terminal (liaison, réponse, temps de réponse) sans mouvement d’argent')
    .argument('<terminalId>', 'identifiant du terminal')
    .option('--establishment <code>', 'établissement du terminal, si plusieurs en ont un de ce nom')
    .action(async (terminalId: string, options: { establishment?: string }) => {
      const ok = await withDatabase(async (dataSource, config) => {
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
        const policy = accessPolicyOf(config);
        const clients = new TerminalClients(policy);
        try {
          const report = await new TerminalCheck(clients, terminals, systemClock, policy).run(candidates[0]);
          process.stdout.write(`${formatCheckReport(report)}\n`);
          return report.ok;
        } finally {
          await clients.onApplicationShutdown();
        }
      });
      if (!ok) process.exitCode = EXIT.terminalNotReady;
    });

  program
    .command('migrate')
    .description('Applique les migrations de schéma en attente')
    .action(async () => {
      const config = loadConfig(process.env, { role: 'cli' });
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

  program
    .command('backup')
    .description('Sauvegarde la base (pg_dump, format custom de PostgreSQL) et affiche le chemin du fichier')
    .option('-o, --output <fichier>', 'fichier de sauvegarde (défaut : diapason-AAAAMMJJ-HHMMSS.dump dans le dossier courant)')
    .action(async (options: { output?: string }) => {
      const config = loadConfig(process.env, { role: 'cli' });
      const database = await resolveDatabase(config);
      try {
        const started = Date.now();
        const done = await backup(database.url, options.output ?? defaultBackupFile(), config.pgBinDir);
        process.stdout.write(`${done.file}\n`);
        say(
          `Sauvegarde écrite : ${done.file} (${(done.bytes / 1024).toFixed(0)} Kio, ${((Date.now() - started) / 1000).toFixed(1)} s, pg_dump ${done.tool.major}). ` +
            'Restauration : diapason restore <fichier>.',
        );
      } finally {
        await database.release();
      }
    });

  program
    .command('restore')
    .description('Restaure une sauvegarde faite par « diapason backup » (pg_restore) : remplace le contenu de la base')
    .argument('<fichier>', 'fichier de sauvegarde (.dump)')
    .option('--force', 'restaurer même si une api ou un worker est connecté à la base')
    .action(async (file: string, options: { force?: boolean }) => {
      const config = loadConfig(process.env, { role: 'cli' });
      const database = await resolveDatabase(config);
      try {
        const sessions = await otherDiapasonSessions(database.url);
        if (sessions.length > 0 && !options.force) {
          throw new CommandError(
            `Des processus DIAPASON utilisent cette base (${sessions.join(', ')}) : arrêtez l’api et le worker avant de restaurer, ` +
              'ou ajoutez --force.',
          );
        }
        const tool = await restore(database.url, file, config.pgBinDir);
        say(`Base restaurée depuis ${file} (pg_restore ${tool.major}). Si la sauvegarde vient d’une version antérieure : diapason migrate.`);
      } finally {
        await database.release();
      }
    });

  return program;
}

async function main(argv: string[]): Promise<void> {
  const major = Number(process.versions.node.split('.')[0]);
  if (major < 24) {
    say(
      `DIAPASON demande Node.js 24 (celui-ci : ${process.version}). Utilisez npm run -s cli -- … dans le dossier du projet, ou installez Node.js 24.`,
    );
    process.exitCode = EXIT.error;
    return;
  }
  try {
    loadEnvFile();
    await buildProgram().parseAsync(argv);
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version') {
        process.exitCode = EXIT.ok;
      } else if (error.code.startsWith('commander.')) {
        // Commander printed its (translated) message; `diapason` alone prints the help: usage errors.
        process.exitCode = EXIT.usage;
      } else {
        say(error.message);
        process.exitCode = error.exitCode;
      }
      return;
    }
    if (
      error instanceof ConfigError ||
      error instanceof CommandError ||
      error instanceof PgToolError ||
      error instanceof EmbeddedPostgresError ||
      error instanceof PortsBusyError
    ) {
      say(error.message);
      process.exitCode = EXIT.error;
      return;
    }
    const verbose = ['debug', 'trace'].includes(process.env.LOG_LEVEL ?? '');
    say(`Échec : ${describeError(error, verbose)}`);
    process.exitCode = EXIT.error;
  }
}

if (require.main === module) void main(process.argv);
