import {
  Parser,
  boolean,
  cidrList,
  cronExpression,
  duration,
  durationAtMost,
  integer,
  oneOf,
  pathGlobList,
  port,
  retentionPeriod,
  secret,
  text,
  url,
} from './env-parsers';
import { trustProxy } from './trust-proxy';

/**
 * Every environment variable DIAPASON reads, declared once: `loadConfig` parses them from this table,
 * and `npm run config:example` writes `.env.example` and `docs/operations/configuration.md` from it
 * (a unit test fails when either is out of date), so the code and the documentation cannot disagree.
 */
export interface SettingSpec<T> {
  /** Heading under which the variable is listed (French). */
  readonly section: string;
  /** What the variable does, for the hospital's IT team (French). */
  readonly description: string;
  /** Value used when the variable is unset or empty, written as in the environment. */
  readonly default?: string;
  /** The default as documented when it is computed at run time (no `default` then). */
  readonly defaultLabel?: string;
  /** An example value, shown in `.env.example` for variables without a default. */
  readonly example?: string;
  readonly parse: Parser<T>;
}

const GENERAL = 'Général';
const HTTP = 'Serveur HTTP (api)';
const API_KEYS = 'Clés d’API de la GAP';
const DATABASE = 'Base de données';
const DELAYS = 'Délais métier';
const SCHEDULER = 'Planificateur (worker)';
const ACQUIRER = 'Serveur d’acceptation';
const NOTICES = 'Avis aux patients (SMS, courriel)';
const WEBHOOKS = 'Webhooks vers la GAP';
const TERMINALS = 'Terminaux de paiement';
const START = 'npm start (démonstration, pilote)';
const OBSERVABILITY = 'Supervision (métriques Prometheus)';
const RETENTION = 'Conservation des données personnelles (RGPD)';
const CONSOLE = 'Console de la régie (/console)';
const OIDC = 'Console : connexion par l’annuaire (OpenID Connect)';

export const SETTINGS = {
  NODE_ENV: {
    section: GENERAL,
    description: 'Environnement d’exécution : production, development ou test.',
    default: 'development',
    parse: oneOf(['production', 'development', 'test'] as const),
  },
  DIAPASON_ENV_FILE: {
    section: GENERAL,
    description:
      'Fichier de variables lu au démarrage s’il existe (chemin relatif au dossier courant) ; les variables déjà présentes dans l’environnement l’emportent. off : aucun fichier.',
    default: '.env',
    parse: text,
  },
  LOG_LEVEL: {
    section: GENERAL,
    description: 'Niveau des journaux (JSON sur la sortie standard) : fatal, error, warn, info, debug, trace ou silent.',
    default: 'info',
    parse: oneOf(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const),
  },
  DIAPASON_SHUTDOWN_GRACE: {
    section: GENERAL,
    description:
      'Délai laissé à l’api et au worker pour finir le travail en cours après SIGTERM ; passé ce délai, le processus s’arrête de force (code 1).',
    default: '25s',
    parse: duration,
  },
  PORT: { section: HTTP, description: 'Port d’écoute HTTP de l’api.', default: '3000', parse: port },
  HOST: {
    section: HTTP,
    description: 'Adresse d’écoute HTTP de l’api (127.0.0.1 derrière un proxy inverse local).',
    default: '0.0.0.0',
    parse: text,
  },
  DIAPASON_PUBLIC_URL: {
    section: HTTP,
    description:
      'Adresse publique de l’api, en HTTPS en production : base des liens envoyés aux patients et de l’adresse de rappel donnée à Twilio. En https, chaque réponse porte Strict-Transport-Security (HSTS).',
    defaultLabel: 'http://localhost:$PORT',
    example: 'https://diapason.chu-exemple.fr',
    parse: url(['http', 'https']),
  },
  DIAPASON_BODY_LIMIT_BYTES: {
    section: HTTP,
    description: 'Taille maximale du corps d’une requête, en octets.',
    default: '65536',
    parse: integer(1024, 10 * 1024 * 1024),
  },
  DIAPASON_STATEMENT_LIMIT_BYTES: {
    section: HTTP,
    description:
      'Taille maximale d’un relevé bancaire envoyé à POST /v1/statements (CFONB 120 ou camt.053, corps brut ou multipart), en octets. ' +
      'Les autres requêtes restent limitées par DIAPASON_BODY_LIMIT_BYTES.',
    default: '20971520',
    parse: integer(1024, 200 * 1024 * 1024),
  },
  DIAPASON_TRUST_PROXY: {
    section: HTTP,
    description:
      'Proxys inverses dont l’en-tête X-Forwarded-For est cru pour connaître l’adresse du client (limitation des clés invalides) : off (l’adresse de la connexion), le nombre de proxys devant l’api (ex. 1), ou leurs adresses et réseaux (ex. loopback, 10.0.0.5, 10.1.0.0/16).',
    default: 'off',
    parse: trustProxy,
  },
  DIAPASON_INVALID_KEY_LIMIT: {
    section: API_KEYS,
    description:
      'Clés d’API inconnues ou révoquées qu’une même adresse peut présenter pendant DIAPASON_INVALID_KEY_WINDOW (réponse 401) ; au-delà, ses tentatives suivantes reçoivent 429 (Retry-After) jusqu’à la fin de la fenêtre. Les clés valides présentées depuis cette adresse restent acceptées.',
    default: '20',
    parse: integer(1, 100_000),
  },
  DIAPASON_INVALID_KEY_WINDOW: {
    section: API_KEYS,
    description: 'Fenêtre de comptage des clés d’API invalides par adresse (au moins 1s).',
    default: '5m',
    parse: duration,
  },
  DATABASE_URL: {
    section: DATABASE,
    description:
      'URL PostgreSQL. Obligatoire pour l’api et le worker lancés seuls ; absente, npm start et la commande diapason utilisent le PostgreSQL embarqué de $DIAPASON_DATA_DIR/pg.',
    example: 'postgres://diapason:motdepasse@db.chu.local:5432/diapason',
    parse: url(['postgres', 'postgresql']),
  },
  DATABASE_POOL_SIZE: { section: DATABASE, description: 'Connexions PostgreSQL par processus.', default: '10', parse: integer(1, 200) },
  DIAPASON_DATA_DIR: {
    section: DATABASE,
    description: 'Dossier des données locales : PostgreSQL embarqué (pg/) et secret des liens patients de npm start.',
    default: '.data',
    parse: text,
  },
  DIAPASON_EMBEDDED_PG_PORT: {
    section: DATABASE,
    description: 'Port du PostgreSQL embarqué (127.0.0.1 seulement).',
    default: '5433',
    parse: port,
  },
  DIAPASON_PG_BIN_DIR: {
    section: DATABASE,
    description:
      'Dossier contenant pg_dump et pg_restore (diapason backup / restore), de version au moins égale à celle du serveur. Absent : cherchés dans /usr/lib/postgresql/<version>/bin puis dans le PATH.',
    example: '/usr/lib/postgresql/18/bin',
    parse: text,
  },
  DIAPASON_COMPLETION_DELAY: {
    section: DELAYS,
    description: 'X : le débit part ce délai après la prise de connaissance de l’avis. Unités : j (ou d), h, m, s, ms.',
    default: '3j',
    parse: duration,
  },
  DIAPASON_ACK_TIMEOUT: {
    section: DELAYS,
    description: 'Y : le dossier est abandonné (not_acknowledged) sans prise de connaissance dans ce délai après le premier avis.',
    default: '15j',
    parse: duration,
  },
  DIAPASON_IMPRINT_VALIDITY: {
    section: DELAYS,
    description: 'Durée pendant laquelle une empreinte peut être débitée.',
    default: '30j',
    parse: duration,
  },
  DIAPASON_DEADLINE_ALERT_MARGIN: {
    section: DELAYS,
    description: 'Alerte la GAP ce délai (plus X) avant la fin de validité de l’empreinte.',
    default: '5j',
    parse: duration,
  },
  DIAPASON_SCHEDULER_CRON: {
    section: SCHEDULER,
    description: 'Rythme du worker (cron, secondes permises).',
    default: '*/10 * * * * *',
    parse: cronExpression,
  },
  DIAPASON_SCHEDULER_BATCH_SIZE: {
    section: SCHEDULER,
    description: 'Dossiers pris par balayage et par battement.',
    default: '200',
    parse: integer(1, 10_000),
  },
  DIAPASON_COMPLETION_LEASE: {
    section: SCHEDULER,
    description: 'Durée pendant laquelle un worker garde un débit envoyé ; au-delà, le concierge interroge le serveur d’acceptation.',
    default: '2m',
    parse: duration,
  },
  DIAPASON_OUTBOX_LEASE: {
    section: SCHEDULER,
    description:
      'Durée pendant laquelle un worker garde un avis à envoyer (SMS, courriel), renouvelée tant qu’il y travaille ; au-delà (worker arrêté), un autre worker le reprend.',
    default: '60s',
    parse: duration,
  },
  DIAPASON_COMPLETION_CONCURRENCY: {
    section: SCHEDULER,
    description: 'Débits envoyés en même temps par un worker.',
    default: '16',
    parse: integer(1, 512),
  },
  DIAPASON_WAKE_ON_NOTIFY: {
    section: SCHEDULER,
    description: 'Le worker se réveille dès qu’une transaction laisse du travail (LISTEN PostgreSQL), sans attendre le battement.',
    default: 'true',
    parse: boolean,
  },
  ACQUIRER_URL: {
    section: ACQUIRER,
    description: 'Serveur d’acceptation qui reçoit les débits PLBS.',
    default: 'http://127.0.0.1:3102',
    parse: url(['http', 'https']),
  },
  DIAPASON_ACQUIRER_TIMEOUT: {
    section: ACQUIRER,
    description: 'Délai maximal d’un appel au serveur d’acceptation.',
    default: '10s',
    parse: duration,
  },
  TWILIO_ACCOUNT_SID: {
    section: NOTICES,
    description: 'Compte Twilio (SMS). TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN et TWILIO_FROM vont ensemble ; aucun : pas de SMS.',
    example: 'ACxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx',
    parse: text,
  },
  TWILIO_AUTH_TOKEN: { section: NOTICES, description: 'Jeton secret du compte Twilio.', parse: text },
  TWILIO_FROM: {
    section: NOTICES,
    description: 'Expéditeur des SMS : un numéro, ou un nom alphanumérique (ex. CHU-NANTES).',
    example: 'CHU-EXEMPLE',
    parse: text,
  },
  TWILIO_API_BASE_URL: {
    section: NOTICES,
    description: 'Autre adresse pour l’API REST de Twilio (le simulateur) ; absente : Twilio.',
    parse: url(['http', 'https']),
  },
  SMTP_URL: {
    section: NOTICES,
    description:
      'Serveur SMTP des courriels (smtp:// ou smtps://, ?pool=true pour un pool) ; absent : pas de courriel. Il faut au moins un canal, SMS ou courriel.',
    example: 'smtps://utilisateur:motdepasse@smtp.chu-exemple.fr:465',
    parse: url(['smtp', 'smtps']),
  },
  MAIL_FROM: {
    section: NOTICES,
    description: 'Expéditeur des courriels.',
    default: 'DIAPASON <ne-pas-repondre@diapason.invalid>',
    parse: text,
  },
  DIAPASON_TOKEN_SECRET: {
    section: NOTICES,
    description:
      'Secret (au moins 32 caractères) qui signe les liens envoyés aux patients ; obligatoire pour l’api et le worker, le même partout. Le changer invalide les liens déjà envoyés. npm start en crée un dans $DIAPASON_DATA_DIR/token-secret.',
    example: 'remplacez-moi-par-openssl-rand-base64-48',
    parse: secret(32),
  },
  DIAPASON_ACK_EVIDENCE: {
    section: NOTICES,
    description:
      'any : toute preuve (accusé SMS, courriel ouvert, lien suivi, bouton) ; explicit : seulement l’accusé SMS et le bouton de la page. Dans les deux cas, une requête HEAD, un analyseur de liens ou un proxy d’images ne compte jamais.',
    default: 'any',
    parse: oneOf(['any', 'explicit'] as const),
  },
  DIAPASON_NOTICE_STRATEGY: {
    section: NOTICES,
    description: 'fallback : SMS d’abord, courriel s’il échoue ; all : tous les canaux à la fois.',
    default: 'fallback',
    parse: oneOf(['fallback', 'all'] as const),
  },
  DIAPASON_WEBHOOK_TIMEOUT: { section: WEBHOOKS, description: 'Délai maximal d’une livraison de webhook.', default: '10s', parse: duration },
  DIAPASON_WEBHOOK_RETRY_WINDOW: {
    section: WEBHOOKS,
    description: 'Les livraisons en échec sont retentées pendant ce délai.',
    default: '24h',
    parse: duration,
  },
  DIAPASON_WEBHOOK_ALLOWED_NETWORKS: {
    section: WEBHOOKS,
    description:
      'Réseaux (CIDR, séparés par des virgules) vers lesquels des webhooks peuvent être envoyés en plus d’Internet : ' +
      'une GAP sur le réseau de l’hôpital (10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16, 100.64.0.0/10, fc00::/7 sont refusés sinon). ' +
      'Vers ces réseaux, http est accepté ; ailleurs, https est obligatoire. L’adresse est vérifiée à l’enregistrement et à chaque connexion. ' +
      'Le bouclage (127.0.0.0/8, ::1) n’est accepté que si un réseau de bouclage est listé lui-même (127.0.0.1/32 pour les tests et la démonstration ; à éviter en production). ' +
      'Non spécifiées, lien local, multidiffusion et métadonnées du nuage (169.254.169.254, fd00:ec2::254…) restent toujours refusées.',
    defaultLabel: 'aucun',
    example: '10.20.0.0/16,192.168.1.10/32',
    parse: cidrList,
  },
  DIAPASON_TERMINAL_RUNNER: {
    section: TERMINALS,
    description: 'Ce worker pilote-t-il les terminaux (empreintes) ? L’api ne le fait jamais.',
    defaultLabel: 'oui',
    example: 'true',
    parse: boolean,
  },
  DIAPASON_BRIDGE_HOST: {
    section: TERMINALS,
    description: 'Nom de cette machine pour les terminaux qui y sont branchés (bridgeHost des terminaux série).',
    defaultLabel: 'nom de la machine',
    example: 'poste-admissions-1',
    parse: text,
  },
  DIAPASON_TERMINAL_POLL: {
    section: TERMINALS,
    description: 'Fréquence de recherche des empreintes en attente, en plus des notifications.',
    default: '1s',
    parse: duration,
  },
  DIAPASON_TERMINAL_LEASE: {
    section: TERMINALS,
    description:
      'Durée pendant laquelle un pont garde un terminal pour une empreinte, renouvelée tant que la transaction dure ; au-delà (pont arrêté), un autre pont reprend l’empreinte et demande au terminal comment elle s’est terminée.',
    default: '30s',
    parse: duration,
  },
  DIAPASON_METRICS_TOKEN: {
    section: OBSERVABILITY,
    description:
      'Jeton (au moins 16 caractères) que Prometheus doit présenter (Authorization: Bearer …) pour lire /metrics sur l’api et le worker. Absent : /metrics est ouvert à qui atteint le port ; ne l’exposez alors que sur le réseau interne (le proxy inverse ne le publie pas).',
    example: 'remplacez-moi-par-openssl-rand-hex-24',
    parse: secret(16),
  },
  DIAPASON_WORKER_PORT: {
    section: OBSERVABILITY,
    description:
      'Port HTTP du worker : /metrics, /health (vivant) et /ready (base joignable, écoutes PostgreSQL branchées). 0 : pas d’écoute. Un port par worker sur une même machine.',
    default: '3001',
    parse: port,
  },
  DIAPASON_WORKER_HOST: {
    section: OBSERVABILITY,
    description: 'Adresse d’écoute HTTP du worker (127.0.0.1 si Prometheus tourne sur la même machine).',
    default: '0.0.0.0',
    parse: text,
  },
  DIAPASON_RETENTION_PATIENT_DATA: {
    section: RETENTION,
    description:
      'Délai après la clôture d’un dossier (statut final) au bout duquel nom, prénom, téléphone et courriel du patient, destinataires des avis et navigateurs des preuves de lecture sont effacés. Mois calendaires en toutes lettres (13mois) ou jours (395j) ; « M » est refusé. Montants, références, statuts et journal restent (conservation comptable).',
    default: '13mois',
    parse: retentionPeriod,
  },
  DIAPASON_RETENTION_CRON: {
    section: RETENTION,
    description: 'Heure du balayage quotidien d’effacement (cron, secondes permises), par le worker.',
    default: '0 30 3 * * *',
    parse: cronExpression,
  },
  DIAPASON_TERMINAL_ALLOWED_NETWORKS: {
    section: TERMINALS,
    description:
      'Réseaux où DIAPASON peut joindre des terminaux IP (CIDR ou adresses, séparés par des virgules) : la déclaration d’un terminal hors de ces réseaux est refusée, et le pont vérifie l’adresse résolue à chaque connexion. Par défaut les réseaux privés ; npm start y ajoute la boucle locale (127.0.0.0/8, ::1) pour ses terminaux simulés.',
    default: '10.0.0.0/8,172.16.0.0/12,192.168.0.0/16,fc00::/7',
    parse: cidrList,
  },
  DIAPASON_SERIAL_DEVICES: {
    section: TERMINALS,
    description:
      'Ports série que DIAPASON peut ouvrir (motifs de chemins séparés par des virgules, * reste dans un dossier). npm start y ajoute le dossier des ports série simulés.',
    default: '/dev/ttyACM*,/dev/ttyUSB*,/dev/serial/by-id/*',
    parse: pathGlobList,
  },
  DIAPASON_TERMINAL_CHECK_TIMEOUT: {
    section: TERMINALS,
    description: 'Durée maximale d’une vérification de terminal (POST /v1/terminals/{id}/check, terminal:check) : 15 s au plus.',
    default: '15s',
    parse: durationAtMost(15_000, '15 s'),
  },
  DIAPASON_CONSOLE_IDLE_TIMEOUT: {
    section: CONSOLE,
    description: 'Une session de la console sans activité pendant ce délai est fermée : il faut se reconnecter.',
    default: '30m',
    parse: duration,
  },
  DIAPASON_CONSOLE_SESSION_MAX: {
    section: CONSOLE,
    description: 'Durée maximale d’une session de la console, même active (une journée de travail).',
    default: '12h',
    parse: duration,
  },
  DIAPASON_CONSOLE_LOCKOUT_THRESHOLD: {
    section: CONSOLE,
    description:
      'Mots de passe erronés successifs acceptés pour un compte local ; à partir de ce nombre, le compte est bloqué pendant DIAPASON_CONSOLE_LOCKOUT_DELAY, délai doublé à chaque nouvel échec (24 h au plus).',
    default: '5',
    parse: integer(1, 100),
  },
  DIAPASON_CONSOLE_LOCKOUT_DELAY: {
    section: CONSOLE,
    description: 'Premier délai de blocage d’un compte local après DIAPASON_CONSOLE_LOCKOUT_THRESHOLD échecs (doublé à chaque échec suivant).',
    default: '1m',
    parse: duration,
  },
  DIAPASON_OIDC_ISSUER: {
    section: OIDC,
    description:
      'Adresse de l’annuaire (émetteur OpenID Connect, telle que dans sa découverte /.well-known/openid-configuration). Absente : la console n’offre que les comptes locaux. npm start y met l’annuaire simulé.',
    example: 'https://auth.chu-exemple.fr/realms/chu',
    parse: url(['http', 'https']),
  },
  DIAPASON_OIDC_CLIENT_ID: {
    section: OIDC,
    description: 'Identifiant du client déclaré pour la console dans l’annuaire.',
    example: 'diapason-console',
    parse: text,
  },
  DIAPASON_OIDC_CLIENT_SECRET: {
    section: OIDC,
    description: 'Secret de ce client (authentification client_secret_basic).',
    example: 'secret-du-client',
    parse: text,
  },
  DIAPASON_OIDC_ROLES_CLAIM: {
    section: OIDC,
    description:
      'Revendication (claim) portant les rôles : tableau parmi caissier, regisseur, comptable, administrateur (une chaîne seule est acceptée ; les autres valeurs sont ignorées).',
    default: 'diapason_roles',
    parse: text,
  },
  DIAPASON_OIDC_ESTABLISHMENT_CLAIM: {
    section: OIDC,
    description: 'Revendication portant le code de l’établissement de la personne.',
    default: 'diapason_establishment',
    parse: text,
  },
  DIAPASON_OIDC_ESTABLISHMENT: {
    section: OIDC,
    description:
      'Code de l’établissement des personnes dont l’annuaire n’envoie pas la revendication d’établissement (annuaire d’un seul établissement). Absent : cette revendication est obligatoire.',
    example: 'CHU-NANTES',
    parse: text,
  },
  DIAPASON_SIMULATORS: {
    section: START,
    description: 'off : npm start ne lance aucun simulateur (vrais terminaux, Twilio, SMTP, serveur d’acceptation).',
    default: 'on',
    parse: boolean,
  },
  DIAPASON_SIM_TERMINAL_PORT: { section: START, description: 'Port de contrôle des terminaux simulés.', default: '3101', parse: port },
  DIAPASON_SIM_ACQUIRER_PORT: { section: START, description: 'Port du serveur d’acceptation simulé.', default: '3102', parse: port },
  DIAPASON_SIM_SMS_PORT: { section: START, description: 'Port de la passerelle SMS simulée (API de Twilio).', default: '3103', parse: port },
  DIAPASON_SIM_SMTP_PORT: { section: START, description: 'Port SMTP du puits à courriels simulé.', default: '2525', parse: port },
  DIAPASON_SIM_MAIL_PORT: { section: START, description: 'Port HTTP où lire les courriels reçus par le simulateur.', default: '3104', parse: port },
  DIAPASON_SIM_OIDC_PORT: {
    section: START,
    description: 'Port de l’annuaire OpenID Connect simulé (connexion à la console par l’annuaire).',
    default: '3105',
    parse: port,
  },
} satisfies Record<string, SettingSpec<unknown>>;

export type Settings = typeof SETTINGS;
export type SettingName = keyof Settings;

/** The parsed type of a variable; `| undefined` when it has no default. */
export type SettingValue<K extends SettingName> = Settings[K] extends { parse: Parser<infer T> }
  ? Settings[K] extends { default: string }
    ? T
    : T | undefined
  : never;
