import type { LoggerOptions } from 'pino';
import type { DiapasonConfig } from './config';
import { REDACTED_PATHS, censor, redactRequestUrl, scrubText, serializeError, serializeRequest, serializeResponse } from './redaction';

/** Nest's start-up chatter (one line per route and module) is only worth reading when debugging. */
const START_UP_CONTEXTS = new Set(['RouterExplorer', 'RoutesResolver', 'InstanceLoader']);

/**
 * The logger of every process (api, worker, cli): JSON lines, personal data and secrets removed
 * whatever fails (see ./redaction.ts).
 */
export function pinoOptions(config: DiapasonConfig, name: string): LoggerOptions {
  return {
    name,
    level: config.logLevel,
    hooks: {
      logMethod(args, method, level) {
        const first = args[0] as { context?: unknown } | undefined;
        const startUp = level === 30 && typeof first === 'object' && first !== null && START_UP_CONTEXTS.has(String(first.context));
        if (startUp && !this.isLevelEnabled('debug')) return;
        // The message itself (and its interpolation arguments) may quote a library's error text.
        const cleaned = args.map((arg) => (typeof arg === 'string' ? scrubText(arg) : arg)) as typeof args;
        method.apply(this, cleaned);
      },
    },
    serializers: {
      err: serializeError,
      error: serializeError,
      req: serializeRequest,
      res: serializeResponse,
      url: (url: unknown) => (typeof url === 'string' ? redactRequestUrl(url) : url),
      path: (path: unknown) => (typeof path === 'string' ? redactRequestUrl(path) : path),
    },
    redact: { paths: REDACTED_PATHS, censor },
    base: { pid: process.pid, service: name },
  };
}
