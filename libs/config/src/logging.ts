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

/** Nest's start-up chatter (one line per route and module) is only worth reading when debugging. */
const START_UP_CONTEXTS = new Set(['RouterExplorer', 'RoutesResolver', 'InstanceLoader']);

export function pinoOptions(config: DiapasonConfig, name: string): LoggerOptions {
  return {
    name,
    level: config.logLevel,
    hooks: {
      logMethod(args, method, level) {
        const first = args[0] as { context?: unknown } | undefined;
        const startUp = level === 30 && typeof first === 'object' && first !== null && START_UP_CONTEXTS.has(String(first.context));
        if (startUp && !this.isLevelEnabled('debug')) return;
        method.apply(this, args);
      },
    },
    redact: { paths: REDACTED_PATHS, censor: '[masqué]' },
    base: { pid: process.pid, service: name },
  };
}
