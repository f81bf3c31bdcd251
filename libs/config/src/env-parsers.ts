import ipaddr from 'ipaddr.js';
import cron from 'node-cron';

/** A setting that could not be read; the message is for the hospital's operator (French). */
export class InvalidSetting {
  constructor(
    readonly variable: string,
    readonly message: string,
  ) {}
}

export type Env = Readonly<Record<string, string | undefined>>;

/** Thrown by a parser: the text of the variable is not acceptable; the message says why, in French. */
export class BadValue extends Error {}

/** Turns the text of a variable (never empty: an empty variable counts as unset) into its value. */
export type Parser<T> = (text: string) => T;

/** Never print a password found in a connection URL. */
export function redactUrl(text: string): string {
  return text.replace(/\/\/([^:/@]+):([^@]*)@/, '//$1:***@');
}

export const text: Parser<string> = (value) => value;

export function integer(min: number, max: number): Parser<number> {
  return (value) => {
    const parsed = /^-?\d+$/.test(value) ? Number(value) : Number.NaN;
    if (!Number.isSafeInteger(parsed) || parsed < min || parsed > max) {
      throw new BadValue(`« ${value} » doit être un entier entre ${min} et ${max}.`);
    }
    return parsed;
  };
}

export const port: Parser<number> = integer(0, 65535);

export function oneOf<T extends string>(allowed: readonly T[]): Parser<T> {
  return (value) => {
    if (!(allowed as readonly string[]).includes(value)) throw new BadValue(`« ${value} » doit valoir ${allowed.join(', ')}.`);
    return value as T;
  };
}

export const boolean: Parser<boolean> = (value) => {
  const lower = value.toLowerCase();
  if (['1', 'true', 'yes', 'oui', 'on'].includes(lower)) return true;
  if (['0', 'false', 'no', 'non', 'off'].includes(lower)) return false;
  throw new BadValue(`« ${value} » doit valoir true ou false (ou oui / non, on / off).`);
};

export function url(protocols: readonly string[]): Parser<string> {
  return (value) => {
    let parsed: URL | undefined;
    try {
      parsed = new URL(value);
    } catch {
      parsed = undefined;
    }
    if (!parsed || !protocols.includes(parsed.protocol.replace(/:$/, ''))) {
      throw new BadValue(`« ${redactUrl(value)} » n'est pas une URL valide (${protocols.join(', ')}).`);
    }
    return value.replace(/\/+$/, '');
  };
}

export const cronExpression: Parser<string> = (value) => {
  if (!cron.validate(value)) throw new BadValue(`« ${value} » n'est pas une expression cron valide (exemple : */10 * * * * *).`);
  return value;
};

export function secret(minLength: number): Parser<string> {
  return (value) => {
    if (value.length < minLength) throw new BadValue(`le secret doit compter au moins ${minLength} caractères.`);
    return value;
  };
}

/**
 * The only duration units accepted, all lower case: `j` (jour) and `d` (day) for days, `h`, `m` for
 * minutes, `s`, `ms`. Months, weeks and years are refused rather than guessed: `1M` means a minute
 * to the `ms` package and a month to a French reader.
 */
const DURATION_UNITS: Readonly<Record<string, number>> = {
  ms: 1,
  s: 1_000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  j: 86_400_000,
};

const EXAMPLES = 'exemples : 3j, 12h, 10m, 30s, 500ms';

/** `3j`, `3d`, `12h`, `1,5h`, `10m`, `30s`, `500ms` → milliseconds (> 0). */
export const duration: Parser<number> = (value) => {
  const match = /^(\d+(?:[.,]\d+)?)\s*([A-Za-zéÉ]*)$/.exec(value);
  if (!match) {
    throw new BadValue(`« ${value} » n'est pas une durée valide (${EXAMPLES}).`);
  }
  const amount = Number(match[1].replace(',', '.'));
  const unit = match[2];
  if (unit === '') {
    throw new BadValue(`« ${value} » : précisez l'unité (${EXAMPLES}) ; un nombre seul est refusé.`);
  }
  const factor = DURATION_UNITS[unit];
  if (factor === undefined) {
    if (unit === 'M') {
      throw new BadValue(
        `« ${value} » est ambigu : « M » se lit minute ou mois. Écrivez ${match[1]}m pour des minutes, ou comptez les mois en jours (30j).`,
      );
    }
    if (DURATION_UNITS[unit.toLowerCase()] !== undefined) {
      throw new BadValue(`« ${value} » : écrivez l'unité en minuscules (${match[1]}${unit.toLowerCase()}).`);
    }
    throw new BadValue(
      `« ${value} » : unité « ${unit} » non acceptée. Unités : j (ou d) jours, h heures, m minutes, s secondes, ms millisecondes ; une semaine s'écrit 7j, un mois 30j.`,
    );
  }
  const ms = Math.round(amount * factor);
  if (!(ms > 0)) throw new BadValue(`« ${value} » : la durée doit être positive (${EXAMPLES}).`);
  return ms;
};

const CIDR_EXAMPLES = 'exemples : 10.20.0.0/16, 192.168.1.10/32, fd12:3456::/48';

/**
 * A comma-separated list of networks in CIDR notation (`10.20.0.0/16`, `fd12:3456::/48`; a bare
 * address means that address alone) → the networks, normalised (`10.20.0.0/16`). IPv4 is accepted
 * only in dotted decimal: `0x0a000000/8` or `012.0.0.0/8` are refused rather than guessed.
 */
export const cidrList: Parser<readonly string[]> = (value) =>
  value
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '')
    .map((entry) => {
      const [address, bits, ...rest] = entry.split('/');
      const valid =
        rest.length === 0 &&
        (ipaddr.IPv4.isValidFourPartDecimal(address) || (ipaddr.IPv6.isValid(address) && !address.includes('%'))) &&
        (bits === undefined || /^\d{1,3}$/.test(bits));
      const parsed = valid ? ipaddr.parse(address) : undefined;
      const max = parsed?.kind() === 'ipv4' ? 32 : 128;
      const prefix = bits === undefined ? max : Number(bits);
      if (!parsed || prefix > max) throw new BadValue(`« ${entry} » n'est pas un réseau en notation CIDR (${CIDR_EXAMPLES}).`);
      return `${parsed.toString()}/${prefix}`;
    });

/**
 * A retention period: calendar months (`13mois`), counted by PostgreSQL like a lawyer counts them
 * (13 months after 31 January is 28 February of the next year), or a duration in days and below
 * (`395j`). `M` stays refused, as for every duration.
 */
export type RetentionPeriod = { readonly months: number } | { readonly ms: number };

/** `13mois` → `{ months: 13 }`; `395j`, `12h` → `{ ms }` (as `duration`). */
export const retentionPeriod: Parser<RetentionPeriod> = (value) => {
  const months = /^(\d+)\s*mois$/i.exec(value);
  if (months) {
    const count = Number(months[1]);
    if (!(count > 0) || count > 1200) throw new BadValue(`« ${value} » : entre 1 et 1200 mois.`);
    return { months: count };
  }
  try {
    return { ms: duration(value) };
  } catch (error) {
    if (!(error instanceof BadValue)) throw error;
    throw new BadValue(`${error.message} Pour une durée de conservation, les mois s'écrivent en toutes lettres : 13mois.`);
  }
};

/** The period as a PostgreSQL interval literal (`13 months`, `34128000000 milliseconds`). */
export function retentionInterval(period: RetentionPeriod): string {
  return 'months' in period ? `${period.months} months` : `${period.ms} milliseconds`;
}

/** A duration no longer than `maxMs` (a ceiling the code relies on, such as an answer promised in 15 s). */
export function durationAtMost(maxMs: number, label: string): Parser<number> {
  return (value) => {
    const ms = duration(value);
    if (ms > maxMs) throw new BadValue(`« ${value} » dépasse le maximum de ${label}.`);
    return ms;
  };
}

const splitList = (value: string): string[] =>
  value
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');

/** `/dev/ttyACM*,/dev/serial/by-id/*`: absolute path globs (`*` stays within one folder). */
export const pathGlobList: Parser<string[]> = (value) => {
  const items = splitList(value);
  for (const item of items) {
    if (!item.startsWith('/')) throw new BadValue(`« ${item} » doit être un chemin absolu (exemple : /dev/ttyUSB*).`);
  }
  return items;
};
