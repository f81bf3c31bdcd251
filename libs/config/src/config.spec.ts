import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadConfig } from './config';
import { loadEnvFile } from './env-file';

const messageOf = (work: () => unknown): string => {
  try {
    work();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).not.toMatch(/\n\s+at /);
    return (error as Error).message;
  }
  throw new Error('no ConfigError');
};

describe('configuration', () => {
  it('has the programme defaults', () => {
    const config = loadConfig({});
    expect(config.http.port).toBe(3000);
    expect(config.delays.completionDelayMs).toBe(3 * 86_400_000);
    expect(config.delays.ackTimeoutMs).toBe(15 * 86_400_000);
    expect(config.delays.imprintValidityMs).toBe(30 * 86_400_000);
    expect(config.delays.deadlineAlertMarginMs).toBe(5 * 86_400_000);
    expect(config.database.url).toBeUndefined();
    expect(config.http.publicBaseUrl).toBe('http://localhost:3000');
  });

  it('reads business delays as durations', () => {
    const config = loadConfig({ DIAPASON_COMPLETION_DELAY: '10s', DIAPASON_ACK_TIMEOUT: '12h', PORT: '8080' });
    expect(config.delays.completionDelayMs).toBe(10_000);
    expect(config.delays.ackTimeoutMs).toBe(12 * 3_600_000);
    expect(config.http.port).toBe(8080);
  });

  it('names every wrong variable at once', () => {
    let error: unknown;
    try {
      loadConfig({ DIAPASON_COMPLETION_DELAY: 'trois jours', PORT: '99999', DATABASE_URL: 'mysql://x', LOG_LEVEL: 'loud' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as ConfigError).message;
    for (const name of ['DIAPASON_COMPLETION_DELAY', 'PORT', 'DATABASE_URL', 'LOG_LEVEL']) expect(message).toContain(name);
    expect(message).toContain('trois jours');
  });

  it('never prints a database password', () => {
    expect(() => loadConfig({ DATABASE_URL: 'mysql://user:s3cret@host/db' })).toThrow(/user:\*\*\*@/);
    expect(() => loadConfig({ DATABASE_URL: 'mysql://user:s3cret@host/db' })).not.toThrow(/s3cret/);
  });

  it('refuses a debit delay longer than the imprint validity', () => {
    expect(() => loadConfig({ DIAPASON_COMPLETION_DELAY: '40d' })).toThrow(/DIAPASON_COMPLETION_DELAY/);
  });

  it('refuses a bare number of milliseconds, which is almost always a mistake', () => {
    expect(() => loadConfig({ DIAPASON_ACK_TIMEOUT: '15' })).toThrow(/DIAPASON_ACK_TIMEOUT/);
  });

  it('accepts j for days', () => {
    expect(loadConfig({ DIAPASON_COMPLETION_DELAY: '3j' }).delays.completionDelayMs).toBe(3 * 86_400_000);
  });

  it('refuses 1M, ambiguous for a French reader, in French', () => {
    expect(messageOf(() => loadConfig({ DIAPASON_COMPLETION_LEASE: '1M' }))).toMatch(/DIAPASON_COMPLETION_LEASE : « 1M » est ambigu/);
  });

  it('lists what the api and the worker cannot run without, with the wrong values, in one message', () => {
    for (const role of ['api', 'worker'] as const) {
      const message = messageOf(() => loadConfig({ DIAPASON_ACK_TIMEOUT: '2 weeks' }, { role }));
      expect(message).toMatch(/^Configuration invalide :/);
      for (const name of ['DIAPASON_ACK_TIMEOUT', 'DATABASE_URL', 'DIAPASON_TOKEN_SECRET', 'SMTP_URL']) expect(message).toContain(`  - ${name} : `);
      expect(message).toContain('npm start');
      expect(message).toContain('aucun canal de notification');
    }
  });

  it('names the missing Twilio variables', () => {
    expect(messageOf(() => loadConfig({ TWILIO_ACCOUNT_SID: 'AC1', TWILIO_FROM: 'CHU' }))).toMatch(/il manque TWILIO_AUTH_TOKEN/);
  });

  it('starts the api and the worker with a database, a secret and one channel', () => {
    const env = { DATABASE_URL: 'postgres://u:p@h/db', DIAPASON_TOKEN_SECRET: 'x'.repeat(32), SMTP_URL: 'smtp://127.0.0.1:25' };
    expect(loadConfig(env, { role: 'api' }).notices.email?.url).toBe('smtp://127.0.0.1:25');
    expect(() => loadConfig(env, { role: 'worker' })).not.toThrow();
    expect(() => loadConfig({}, { role: 'cli' })).not.toThrow();
  });

  it('reads .env when present, the real environment winning', () => {
    const dir = mkdtempSync(join(tmpdir(), 'diapason-env-'));
    writeFileSync(join(dir, '.env'), 'PORT=4000\nDIAPASON_ACK_TIMEOUT=2j\nLOG_LEVEL="debug" # commentaire\n');
    const env: NodeJS.ProcessEnv = { PORT: '5000' };
    expect(loadEnvFile(env, dir)).toBe(join(dir, '.env'));
    const config = loadConfig(env);
    expect(config.http.port).toBe(5000);
    expect(config.delays.ackTimeoutMs).toBe(2 * 86_400_000);
    expect(config.logLevel).toBe('debug');
    expect(loadEnvFile({ DIAPASON_ENV_FILE: 'off' }, dir)).toBeUndefined();
    expect(loadEnvFile({}, join(dir, 'nowhere'))).toBeUndefined();
    expect(() => loadEnvFile({ DIAPASON_ENV_FILE: 'absent.env' }, dir)).toThrow(/DIAPASON_ENV_FILE.*introuvable/);
  });
});
