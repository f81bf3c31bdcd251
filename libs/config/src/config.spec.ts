import { ConfigError, loadConfig } from './config';

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
});
