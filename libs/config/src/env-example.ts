import { SETTINGS, SettingSpec } from './settings';

/** Both files are written by `npm run config:example` from the table of `settings.ts`. */
export const ENV_EXAMPLE_FILE = '.env.example';
export const CONFIGURATION_DOC_FILE = 'docs/operations/configuration.md';

type Entry = [name: string, spec: SettingSpec<unknown>];

function sections(): Map<string, Entry[]> {
  const grouped = new Map<string, Entry[]>();
  for (const [name, spec] of Object.entries(SETTINGS) as Entry[]) {
    grouped.set(spec.section, [...(grouped.get(spec.section) ?? []), [name, spec]]);
  }
  return grouped;
}

/** Quotes a value for an env file read by Node (`.env`) and by systemd (`EnvironmentFile=`). */
function envValue(value: string): string {
  return /[\s#"'$<>\\`]/.test(value) ? `"${value.replace(/["\\]/g, '\\$&')}"` : value;
}

function wrap(textToWrap: string, width: number, prefix: string): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of textToWrap.split(/\s+/)) {
    if (line && prefix.length + line.length + 1 + word.length > width) {
      lines.push(prefix + line);
      line = word;
    } else {
      line = line ? `${line} ${word}` : word;
    }
  }
  if (line) lines.push(prefix + line);
  return lines;
}

/** `.env.example`: every variable, commented out, with its default (or an example) and its French description. */
export function renderEnvExample(): string {
  const out = [
    '# DIAPASON : variables d’environnement.',
    '# Fichier généré par `npm run config:example` depuis libs/config/src/settings.ts : ne pas modifier à la main.',
    '# Copiez-le en .env (npm start, commande diapason) ou en /etc/diapason/diapason.env (systemd),',
    '# puis décommentez et changez ce qui doit l’être. Une ligne commentée garde la valeur par défaut indiquée.',
    '# Les variables déjà présentes dans l’environnement l’emportent sur le fichier .env.',
    '# Durées : 3j (ou 3d), 12h, 10m, 30s, 500ms ; mois, semaines et années s’écrivent en jours (30j, 7j).',
  ];
  for (const [section, entries] of sections()) {
    out.push('', `# ── ${section} ──`);
    for (const [name, spec] of entries) {
      out.push('', ...wrap(spec.description, 100, '# '));
      if (spec.default !== undefined) {
        out.push(`#${name}=${envValue(spec.default)}`);
      } else {
        if (spec.defaultLabel) out.push(`# Par défaut : ${spec.defaultLabel}.`);
        out.push(`#${name}=${spec.example === undefined ? '' : envValue(spec.example)}`);
      }
    }
  }
  return `${out.join('\n')}\n`;
}

function cell(value: string): string {
  return value.replace(/\|/g, '\\|');
}

/** `docs/operations/configuration.md`: the same table, for the README and the runbook. */
export function renderConfigurationDoc(): string {
  const out = [
    '# Configuration de DIAPASON',
    '',
    '<!-- Généré par `npm run config:example` depuis libs/config/src/settings.ts : ne pas modifier à la main. -->',
    '',
    'Chaque réglage est une variable d’environnement, lue et vérifiée au démarrage : une valeur fausse arrête',
    'le processus avec un message en français qui nomme chaque variable en cause, toutes à la fois. Un fichier',
    '`.env` du dossier courant est lu s’il existe (les variables déjà présentes dans l’environnement',
    'l’emportent) ; `.env.example` liste toutes les variables avec leur valeur par défaut.',
    '',
    'Durées : `3j` (ou `3d`), `12h`, `10m`, `30s`, `500ms`, unités en minuscules. `1M` est refusé (minute ou',
    'mois ?) ; semaines, mois et années s’écrivent en jours (`7j`, `30j`, `365j`).',
  ];
  for (const [section, entries] of sections()) {
    out.push('', `## ${section}`, '', '| variable | défaut | rôle |', '|---|---|---|');
    for (const [name, spec] of entries) {
      const fallback = spec.default !== undefined ? `\`${spec.default}\`` : (spec.defaultLabel ?? '—');
      out.push(`| \`${name}\` | ${cell(fallback)} | ${cell(spec.description)} |`);
    }
  }
  return `${out.join('\n')}\n`;
}
