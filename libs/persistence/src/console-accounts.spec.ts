import { hashPassword, lockoutDelayMs, oneTimePassword, parseConsoleRoles, passwordProblem, verifyPassword } from './console-accounts';

describe('console accounts', () => {
  it('hashes with Argon2id and verifies', async () => {
    const hash = await hashPassword('Correct-Cheval-42');
    expect(hash.startsWith('$argon2id$')).toBe(true);
    expect(await verifyPassword(hash, 'Correct-Cheval-42')).toBe(true);
    expect(await verifyPassword(hash, 'correct-cheval-42')).toBe(false);
    expect(await verifyPassword('not a hash', 'x')).toBe(false);
  });

  it('applies the password rules: 12 characters and three kinds, or a 16-character passphrase', () => {
    expect(passwordProblem('Court-1')).toMatch(/au moins 12/);
    expect(passwordProblem('toutenminuscule')).toMatch(/trois sortes/);
    expect(passwordProblem('Guichet-2026')).toBeNull();
    expect(passwordProblem('une phrase de passe assez longue')).toBeNull();
    expect(passwordProblem('marie.durand-Secret1', 'marie.durand')).toMatch(/identifiant/);
    expect(passwordProblem('a'.repeat(129))).toMatch(/dépasser/);
  });

  it('makes one-time passwords that satisfy the rules', () => {
    const password = oneTimePassword();
    expect(password).toMatch(/^[A-Za-z0-9]{5}(-[A-Za-z0-9]{5}){3}$/);
    expect(passwordProblem(password)).toBeNull();
  });

  it('locks after the threshold, doubling the delay, 24 h at most', () => {
    expect(lockoutDelayMs(4, 5, 60_000)).toBe(0);
    expect(lockoutDelayMs(5, 5, 60_000)).toBe(60_000);
    expect(lockoutDelayMs(6, 5, 60_000)).toBe(120_000);
    expect(lockoutDelayMs(50, 5, 60_000)).toBe(24 * 3_600_000);
  });

  it('parses roles, keeping the unknown ones apart', () => {
    expect(parseConsoleRoles('regisseur, caissier,visiteur')).toEqual({ roles: ['caissier', 'regisseur'], unknown: ['visiteur'] });
  });
});
