import { BadValue } from './env-parsers';
import { loadConfig } from './config';
import { trustProxy } from './trust-proxy';

const refusal = (text: string): string => {
  try {
    trustProxy(text);
  } catch (error) {
    if (error instanceof BadValue) return error.message;
    throw error;
  }
  throw new Error(`${text} was accepted`);
};

describe('DIAPASON_TRUST_PROXY', () => {
  it.each([
    ['off', false],
    ['false', false],
    ['0', false],
    ['1', 1],
    ['2', 2],
    ['loopback', ['loopback']],
    ['loopback, 10.0.0.5,10.1.0.0/16', ['loopback', '10.0.0.5', '10.1.0.0/16']],
    ['uniquelocal linklocal', ['uniquelocal', 'linklocal']],
    ['::1, fd00::/8', ['::1', 'fd00::/8']],
  ])('reads %s', (text, expected) => {
    expect(trustProxy(text)).toEqual(expected);
  });

  it.each(['on', 'true', '*'])('refuses to trust every address (%s), which would let any client choose its own', (text) => {
    expect(refusal(text)).toMatch(/n’importe quel client/);
  });

  it.each(['10.0.0.0/33', '::1/129', 'proxy.chu.local', '10.0.0.5/8/1', '11'])('refuses %s', (text) => {
    expect(refusal(text)).toMatch(/^« /);
  });

  it('is off by default, and the invalid-key limits are 20 per 5 minutes', () => {
    const config = loadConfig({});
    expect(config.http.trustProxy).toBe(false);
    expect(config.apiKeys).toEqual({ invalidKeyLimit: 20, invalidKeyWindowMs: 300_000 });
  });
});
