import type { LoggerOptions } from 'pino';
import type { DiapasonConfig } from './config';

/**
 * Log fields that must never be written: credentials, and anything that could carry card data
 * (the terminal bridge masks the PAN before it is logged, this is the second line of defence).
 */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-twilio-signature"]',
  'res.headers["set-cookie"]',
  '*.pan',
  '*.cardNumber',
  '*.track2',
  '*.cvv',
  '*.password',
  '*.secret',
  '*.authToken',
];

export function pinoOptions(config: DiapasonConfig, name: string): LoggerOptions {
  return {
    name,
    level: config.logLevel,
    redact: { paths: REDACTED_PATHS, censor: '[masqué]' },
    base: { pid: process.pid, service: name },
  };
}
