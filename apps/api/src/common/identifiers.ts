import { Transform } from 'class-transformer';
import { DomainError } from '@diapason/domain';

/** Codes chosen by the establishment: régie, establishment. */
export const CODE_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$/;
/** Terminal identifiers. */
export const TERMINAL_CODE_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
/** GAP dossier numbers, invoice references. */
export const IDENTIFIER_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._\-/]{0,63}$/;
/** Machine names (bridge hosts). */
export const HOST_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isUuid(value: string): boolean {
  return UUID.test(value);
}

/**
 * An id taken from a path, normalised; anything that is not a UUID cannot name a resource, so it
 * is answered like an unknown one (`notFound`).
 */
export function uuidOrNotFound(value: string, notFound: () => DomainError): string {
  if (!isUuid(value)) throw notFound();
  return value.toLowerCase();
}

/** Surrounding spaces never matter in a name or a contact detail. */
export const Trim = () => Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value));
