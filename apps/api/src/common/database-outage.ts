import { ProblemException } from './problem';

/**
 * Errors that say the database cannot be reached or has gone away, as `pg`, `pg-pool` and TypeORM
 * raise them: answered 503 with `Retry-After`, since the same request will work once it is back.
 */
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);

/**
 * SQLSTATE: class 08 (connection exception), 57P01–57P03 (administrator or crash shutdown, cannot
 * connect now), 53300 (too many connections), 3D000 (database does not exist: dropped or renamed),
 * 55000 only with « not currently accepting connections » (database closed to connections).
 */
function isOutageSqlState(code: string, message: string): boolean {
  return (
    code.startsWith('08') ||
    ['57P01', '57P02', '57P03', '53300', '3D000'].includes(code) ||
    (code === '55000' && message.includes('not currently accepting connections'))
  );
}

const OUTAGE_MESSAGES = [
  'Connection terminated',
  'timeout exceeded when trying to connect',
  'Client has encountered a connection error and is not queryable',
  'Cannot use a pool after calling end on the pool',
  'Connection is not established',
  'terminating connection due to administrator command',
];

interface ErrorLike {
  code?: unknown;
  message?: unknown;
  driverError?: unknown;
  cause?: unknown;
  errors?: unknown;
}

/** True when the error, or what it wraps (TypeORM's `driverError`, `cause`, an AggregateError's errors), is a lost database. */
export function isDatabaseUnavailable(error: unknown, depth = 0): boolean {
  if (depth > 5 || error === null || typeof error !== 'object') return false;
  const { code, message, driverError, cause, errors } = error as ErrorLike;
  const text = typeof message === 'string' ? message : '';
  if (typeof code === 'string' && (NETWORK_CODES.has(code) || (/^[0-9A-Z]{5}$/.test(code) && isOutageSqlState(code, text)))) return true;
  if (OUTAGE_MESSAGES.some((known) => text.includes(known))) return true;
  return (
    isDatabaseUnavailable(driverError, depth + 1) ||
    isDatabaseUnavailable(cause, depth + 1) ||
    (Array.isArray(errors) && errors.some((inner) => isDatabaseUnavailable(inner, depth + 1)))
  );
}

/** Seconds a client should wait before trying again. */
export const OUTAGE_RETRY_AFTER_SECONDS = 5;

export function serviceUnavailable(): ProblemException {
  return new ProblemException(
    503,
    'service_unavailable',
    'Le service est momentanément indisponible. Réessayez dans quelques instants.',
    {},
    { 'Retry-After': String(OUTAGE_RETRY_AFTER_SECONDS) },
  );
}
