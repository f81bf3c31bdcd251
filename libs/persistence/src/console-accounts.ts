import { randomInt } from 'node:crypto';
import { hash, verify } from '@node-rs/argon2';

/** The roles of the Régie console. A directory may send others: they grant nothing. */
export const CONSOLE_ROLES = ['caissier', 'regisseur', 'comptable', 'administrateur'] as const;
export type ConsoleRole = (typeof CONSOLE_ROLES)[number];

/** How each role is named on the pages (French). */
export const CONSOLE_ROLE_LABELS: Record<ConsoleRole, string> = {
  caissier: 'Caissier',
  regisseur: 'Régisseur',
  comptable: 'Comptable',
  administrateur: 'Administrateur',
};

export function isConsoleRole(value: unknown): value is ConsoleRole {
  return typeof value === 'string' && (CONSOLE_ROLES as readonly string[]).includes(value);
}

/** A console login: letters, digits, `. _ @ -`, 100 characters at most, not starting with a sign. */
export function isConsoleLogin(login: string): boolean {
  return /^[A-Za-z0-9][A-Za-z0-9._@-]{0,99}$/.test(login);
}

/** Role names (a form's checkboxes) → the known roles (in the canonical order, once each) and the unknown names. */
export function consoleRolesFrom(names: readonly string[]): { roles: ConsoleRole[]; unknown: string[] } {
  return {
    roles: CONSOLE_ROLES.filter((role) => names.includes(role)),
    unknown: names.filter((name) => !isConsoleRole(name)),
  };
}

/** `caissier,regisseur` → the known roles (in the canonical order) and the unknown names. */
export function parseConsoleRoles(text: string): { roles: ConsoleRole[]; unknown: string[] } {
  return consoleRolesFrom(
    text
      .split(',')
      .map((name) => name.trim())
      .filter(Boolean),
  );
}

/**
 * Password rules, after the ANSSI's recommendations on passwords (2021, R21/R22 for a service
 * protected by a lockout): at least 12 characters and at least three of the four kinds (lower
 * case, upper case, digit, other), or a passphrase of at least 16 characters of any kind; at most
 * 128; not the login. Returns what is wrong, in French, or null.
 */
export const PASSWORD_MIN_LENGTH = 12;
export const PASSPHRASE_MIN_LENGTH = 16;
export const PASSWORD_MAX_LENGTH = 128;

export const PASSWORD_RULES_TEXT =
  `Au moins ${PASSWORD_MIN_LENGTH} caractères mêlant au moins trois sortes parmi minuscules, majuscules, chiffres et autres signes, ` +
  `ou une phrase de passe d’au moins ${PASSPHRASE_MIN_LENGTH} caractères ; différent de l’identifiant.`;

export function passwordProblem(password: string, login = ''): string | null {
  const length = [...password].length;
  if (length > PASSWORD_MAX_LENGTH) return `Le mot de passe ne doit pas dépasser ${PASSWORD_MAX_LENGTH} caractères.`;
  if (length < PASSWORD_MIN_LENGTH) return `Le mot de passe doit compter au moins ${PASSWORD_MIN_LENGTH} caractères.`;
  if (login && password.toLowerCase().includes(login.toLowerCase())) return 'Le mot de passe ne doit pas contenir l’identifiant.';
  if (length >= PASSPHRASE_MIN_LENGTH) return null;
  const kinds = [/\p{Ll}/u, /\p{Lu}/u, /\p{Nd}/u, /[^\p{Ll}\p{Lu}\p{Nd}]/u].filter((kind) => kind.test(password)).length;
  if (kinds < 3) {
    return `Un mot de passe de moins de ${PASSPHRASE_MIN_LENGTH} caractères doit mêler au moins trois sortes de caractères parmi minuscules, majuscules, chiffres et autres signes.`;
  }
  return null;
}

/** Argon2id (the binding's default algorithm), 19 MiB, 2 passes: OWASP's minimum for Argon2id. */
export function hashPassword(password: string): Promise<string> {
  return hash(password);
}

export async function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
  try {
    return await verify(passwordHash, password);
  } catch {
    return false;
  }
}

/** Without look-alikes (0/O, 1/l/I): read aloud or copied from a screen. */
const ONE_TIME_ALPHABET = 'abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789';

/** A one-time password, 4 groups of 5 (about 115 bits), to be replaced at the first login. */
export function oneTimePassword(): string {
  const group = () => Array.from({ length: 5 }, () => ONE_TIME_ALPHABET[randomInt(ONE_TIME_ALPHABET.length)]).join('');
  return [group(), group(), group(), group()].join('-');
}

/** Lock after `threshold` failures: `baseMs` doubled at each further failure, 24 h at most. */
export function lockoutDelayMs(failedAttempts: number, threshold: number, baseMs: number): number {
  if (failedAttempts < threshold) return 0;
  return Math.min(baseMs * 2 ** Math.min(failedAttempts - threshold, 30), 24 * 3_600_000);
}
