import { ProblemException } from './problem';

/** Opaque pagination cursor: the id of the last item of the previous page. */
export function encodeCursor(id: string): string {
  return Buffer.from(JSON.stringify({ id }), 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string): string {
  try {
    const parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { id?: unknown };
    if (typeof parsed.id === 'string' && /^[0-9a-f-]{36}$/.test(parsed.id)) return parsed.id;
  } catch {
    // fall through to the problem below
  }
  throw new ProblemException(400, 'invalid_cursor', 'Le curseur de pagination est invalide.', {
    errors: [{ field: 'cursor', message: 'curseur invalide' }],
  });
}
