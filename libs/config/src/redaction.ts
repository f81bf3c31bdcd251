import { stdSerializers } from 'pino';

/**
 * What the logs of every DIAPASON process (api, worker, cli) must never carry: patient names,
 * phones, e-mail and postal addresses, patient link tokens, API keys, webhook secrets, passwords,
 * and anything that could carry card data. Four lines of defence, all applied by `pinoOptions()`:
 * - known keys are censored wherever they appear in a log object, up to four levels deep, and URLs
 *   are cleaned (`REDACTED_PATHS`, `censor`);
 * - request and response serializers keep the method, the path (patient tokens masked, no query
 *   string) and the status, never headers (`serializeRequest`, `serializeResponse`);
 * - the error serializer keeps what identifies a database failure (SQLSTATE, constraint, table,
 *   column) and drops what repeats the row (`detail`, `parameters`, `query`, `where`…);
 * - every message and error text goes through `scrubText`, which masks what a library may have
 *   written in it (« Failing row contains (…) », quoted values, URLs with tokens or credentials,
 *   e-mail addresses, phone numbers, bearer keys).
 * TypeORM itself never logs (`logging: false` in libs/persistence), so query parameters only
 * reach a log through an error, which the serializer cleans.
 */

export const CENSOR = '[masqué]';

/** Field names whose value is never logged, at any level of a log object. */
export const REDACTED_KEYS = [
  // Patients and régies.
  'lastName',
  'firstName',
  'patientLastName',
  'patientFirstName',
  'phone',
  'email',
  'address',
  'recipient',
  'to',
  // Credentials and links.
  'token',
  'secret',
  'key',
  'apiKey',
  'authorization',
  'cookie',
  'password',
  'authToken',
  // What database errors repeat of the row.
  'parameters',
  'detail',
  'where',
  // Card data (the terminal bridge masks the PAN before logging: second line of defence).
  'pan',
  'cardNumber',
  'track2',
  'cvv',
];

const REDACTED_HEADERS = ['authorization', 'cookie', 'x-api-key', 'x-twilio-signature', 'set-cookie', 'location'];

/** Quotes a key for a pino redaction path when it is not a plain identifier. */
const segment = (key: string): string => (/^[A-Za-z_$][\w$]*$/.test(key) ? `.${key}` : `["${key}"]`);

/** Fields that hold a URL: kept, but cleaned (`redactRequestUrl` / `scrubText`) rather than censored. */
export const URL_KEYS = ['url', 'href', 'location', 'transportUrl', 'callbackUrl'];

const atAnyLevel = (key: string): string[] => ['', '*', '*.*', '*.*.*'].map((prefix) => `${prefix}${segment(key)}`.replace(/^\./, ''));

/** pino (fast-redact) paths: each key at the top level and under one to three levels of objects. */
export const REDACTED_PATHS: string[] = [
  ...['req', 'res'].flatMap((side) => REDACTED_HEADERS.map((header) => `${side}.headers${segment(header)}`)),
  ...[...REDACTED_KEYS, ...URL_KEYS].flatMap(atAnyLevel),
];

const URL_KEY_SET = new Set(URL_KEYS);

/** pino's `redact.censor`: a URL is cleaned, anything else replaced. */
export function censor(value: unknown, path: string[]): unknown {
  if (URL_KEY_SET.has(path[path.length - 1]) && typeof value === 'string') {
    return value.startsWith('/') ? redactRequestUrl(value) : scrubText(value);
  }
  return CENSOR;
}

const TEXT_RULES: [RegExp, string][] = [
  // PostgreSQL's detail of a constraint violation, wherever it was copied.
  [/Failing row contains .*/g, `Failing row contains ${CENSOR}`],
  [/\bKey \(([^)]*)\)=\(.*?\)(?= already exists| is not present|$|\.)/gm, `Key ($1)=(${CENSOR})`],
  // Values quoted after a colon (`invalid input syntax for type uuid: "…"`), in any error text.
  [/:\s*"(?:[^"\\]|\\.)*"/g, `: "${CENSOR}"`],
  // Credentials in URLs (database, SMTP), then query strings, then patient links.
  [/(\b[a-z][a-z0-9+.-]*:\/\/)[^\s/@]*@/gi, `$1${CENSOR}@`],
  [/(\b[a-z][a-z0-9+.-]*:\/\/[^\s?#"'<>]*)\?[^\s#"'<>]*/gi, `$1?${CENSOR}`],
  [/\/p\/[^/?#\s"'<>]+/g, `/p/${CENSOR}`],
  [/\bBearer\s+\S+/gi, `Bearer ${CENSOR}`],
  [/\bdpk_[A-Za-z0-9_-]+/g, CENSOR],
  // E-mail addresses (an SMTP refusal quotes the recipient) and phone numbers.
  [/[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}/g, CENSOR],
  [/\+\d[\d .-]{6,18}\d/g, CENSOR],
  [/\b0[1-9](?:[ .-]?\d{2}){4}\b/g, CENSOR],
];

/** Masks, in free text, what a library may have copied into it (see `TEXT_RULES`). */
export function scrubText(text: string): string {
  // A NUL byte never belongs in a log line.
  let result = text.replaceAll('\u0000', '');
  for (const [pattern, replacement] of TEXT_RULES) result = result.replace(pattern, replacement);
  return result;
}

/** A request path as logged: patient tokens masked, no query string. */
export function redactRequestUrl(url: string): string {
  const path = url.split('?')[0];
  return scrubText(path) + (url.includes('?') ? `?${CENSOR}` : '');
}

interface SerializedRequest {
  id?: unknown;
  method?: string;
  url?: string;
}

export function serializeRequest(req: SerializedRequest): Record<string, unknown> {
  return { id: req.id, method: req.method, url: typeof req.url === 'string' ? redactRequestUrl(req.url) : req.url };
}

/** Status only: response headers can carry a patient link (`Location: /p/<token>`). */
export function serializeResponse(res: { statusCode?: number }): Record<string, unknown> {
  return { statusCode: res.statusCode };
}

/** What a database error keeps: enough to find the statement's table and rule, nothing of the row. */
const DATABASE_ERROR_KEYS = new Set([
  'type',
  'message',
  'stack',
  'code',
  'severity',
  'constraint',
  'table',
  'column',
  'schema',
  'dataType',
  'routine',
]);

/** Properties an error never keeps (TypeORM's QueryFailedError copies the driver's error onto itself). */
const DROPPED_ERROR_KEYS = new Set([
  'detail',
  'parameters',
  'query',
  'where',
  'internalQuery',
  'hint',
  'driverError',
  'config',
  'headers',
  'body',
  'request',
  'response',
]);

const isDatabaseError = (err: Record<string, unknown>): boolean =>
  'driverError' in err || ('severity' in err && typeof err.code === 'string' && /^[0-9A-Z]{5}$/.test(err.code));

function scrubValue(value: unknown, depth: number): unknown {
  if (typeof value === 'string') return scrubText(value);
  if (depth > 4 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((item) => scrubValue(item, depth + 1));
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, scrubValue(v, depth + 1)]));
}

function cleanSerializedError(serialized: Record<string, unknown>, depth: number): Record<string, unknown> {
  const database = isDatabaseError(serialized);
  const clean: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(serialized)) {
    if (database ? !DATABASE_ERROR_KEYS.has(key) : DROPPED_ERROR_KEYS.has(key)) continue;
    if (key === 'aggregateErrors' && Array.isArray(value)) {
      clean[key] = value.map((item: unknown) =>
        item && typeof item === 'object' ? cleanSerializedError(item as Record<string, unknown>, depth + 1) : item,
      );
    } else {
      clean[key] = scrubValue(value, depth);
    }
  }
  const driver = serialized.driverError;
  // The driver's own error of a failed query: its SQLSTATE and rule, nothing else.
  if (database && driver && typeof driver === 'object') {
    const { code, constraint, table, column } = driver as Record<string, unknown>;
    clean.code ??= code;
    clean.constraint ??= constraint;
    clean.table ??= table;
    clean.column ??= column;
  }
  return clean;
}

/** pino's error serializer, then `cleanSerializedError`: the same shape (`type`, `message`, `stack`…), cleaned. */
export function serializeError(err: unknown): unknown {
  if (typeof err === 'string') return scrubText(err);
  if (!isErrorLike(err)) return err;
  return cleanSerializedError(stdSerializers.err(err), 0);
}

/** pino's own test: anything with a message and a stack is serialized as an error. */
function isErrorLike(value: unknown): value is Error {
  return value instanceof Error || (typeof value === 'object' && value !== null && 'message' in value && 'stack' in value);
}

/** The message of an error as an operator reads it on a console (CLI, start-up failures), cleaned. */
export function describeError(error: unknown, verbose = false): string {
  if (!(error instanceof Error)) return scrubText(String(error));
  return scrubText((verbose ? error.stack : undefined) ?? error.message);
}
