import type { NextFunction, Request, Response } from 'express';
import { ProblemException } from './problem';

/**
 * Input that PostgreSQL or the recursion of the validation would choke on is refused up front,
 * with a 400 problem naming what is wrong, instead of surfacing as a 500:
 * - a NUL byte (U+0000) in the path, a query parameter or any string (or key) of the JSON body:
 *   PostgreSQL refuses it in text (SQLSTATE 22021);
 * - a JSON body nested deeper than `MAX_JSON_DEPTH`: checked on the raw bytes, before anything parses
 *   or walks it.
 */

/** Deepest nesting of objects and arrays accepted in a JSON body (the API's own bodies use 2). */
export const MAX_JSON_DEPTH = 32;

export const NUL_PROBLEM_CODE = 'invalid_character';
export const DEPTH_PROBLEM_CODE = 'json_too_deep';

const OPEN_BRACE = 0x7b;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACE = 0x7d;
const CLOSE_BRACKET = 0x5d;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/** Nesting depth of a JSON text, counted on its UTF-8 bytes (a multi-byte character never contains these ASCII bytes). */
export function jsonDepthExceeds(body: Buffer, limit: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < body.length; i++) {
    const byte = body[i];
    if (inString) {
      if (byte === BACKSLASH) i++;
      else if (byte === QUOTE) inString = false;
    } else if (byte === QUOTE) {
      inString = true;
    } else if (byte === OPEN_BRACE || byte === OPEN_BRACKET) {
      if (++depth > limit) return true;
    } else if (byte === CLOSE_BRACE || byte === CLOSE_BRACKET) {
      depth--;
    }
  }
  return false;
}

/** `verify` option of the JSON body parser: runs on the raw body, before `JSON.parse`. */
export function refuseDeepJson(_request: unknown, _response: unknown, body: Buffer): void {
  if (jsonDepthExceeds(body, MAX_JSON_DEPTH)) {
    throw new ProblemException(
      400,
      DEPTH_PROBLEM_CODE,
      `Le corps JSON est trop imbriqué : ${MAX_JSON_DEPTH} niveaux d’objets et de listes au plus.`,
      { maxDepth: MAX_JSON_DEPTH },
    );
  }
}

/** Where a field sits, as the validation errors write it: `patient.lastName`, `eventTypes.0`. */
const child = (parent: string, key: string): string => (parent ? `${parent}.${key}` : key);
const shown = (field: string): string => field.replaceAll('\u0000', '\\u0000');

/** The first string (value or key) holding a NUL byte, with its path. */
export function findNulByte(value: unknown, root = ''): string | undefined {
  return findString(value, (text) => text.includes('\u0000'), root);
}

/**
 * The first string (value or key) that is not well-formed UTF-16 (a lone surrogate such as
 * `"\ud800"`, valid JSON escape): it has no UTF-8 form to store, and validators that encode it
 * (`IsEmail` through `encodeURI`) throw.
 */
export function findLoneSurrogate(value: unknown, root = ''): string | undefined {
  return findString(value, (text) => !text.isWellFormed(), root);
}

/** The first string (value or key) that `bad` rejects, with its path; iterative, since the depth is already bounded. */
function findString(value: unknown, bad: (text: string) => boolean, root: string): string | undefined {
  const pending: [string, unknown][] = [[root, value]];
  while (pending.length > 0) {
    const [path, current] = pending.pop()!;
    if (typeof current === 'string') {
      if (bad(current)) return path;
    } else if (Array.isArray(current)) {
      current.forEach((item, index) => pending.push([child(path, String(index)), item]));
    } else if (current !== null && typeof current === 'object') {
      for (const [key, item] of Object.entries(current)) {
        if (bad(key)) return child(path, key);
        pending.push([child(path, key), item]);
      }
    }
  }
  return undefined;
}

function nulProblem(field: string, detail: string, message = 'contient un caractère interdit (NUL)'): ProblemException {
  return new ProblemException(400, NUL_PROBLEM_CODE, detail, {
    errors: [{ field: shown(field), message }],
  });
}

/** Middleware placed after the body parsers: path, query and body are checked before any route runs. */
export function rejectNulBytes(request: Request, _response: Response, next: NextFunction): void {
  const rawPath = request.originalUrl.split('?')[0];
  if (rawPath.includes('%00') || rawPath.includes('\u0000')) {
    next(nulProblem('path', 'Le chemin de la requête contient un caractère interdit (NUL).'));
    return;
  }
  // A file's bytes (the bank statement upload) are not fields: its parser judges its characters.
  const inBody = Buffer.isBuffer(request.body) ? undefined : findNulByte(request.body as unknown);
  const field = findNulByte(request.query) ?? (inBody === '' ? 'body' : inBody);
  if (field !== undefined) {
    next(nulProblem(field, `Le champ ${shown(field)} contient un caractère interdit (NUL).`));
    return;
  }
  const illFormedInBody = findLoneSurrogate(request.body as unknown);
  const illFormed = findLoneSurrogate(request.query) ?? (illFormedInBody === '' ? 'body' : illFormedInBody);
  if (illFormed !== undefined) {
    const message = 'contient un caractère invalide (UTF-16 mal formé)';
    next(nulProblem(illFormed, `Le champ ${shown(illFormed).toWellFormed()} ${message}.`, message));
    return;
  }
  next();
}
