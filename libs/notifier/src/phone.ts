import { parsePhoneNumberFromString } from 'libphonenumber-js/max';

/**
 * ARCEP keeps 06 39 98 xx xx for fiction and tests: never assigned, so the demo and the tests can
 * use real-looking mobile numbers that reach nobody.
 */
const FICTION_MOBILE = /^\+3363998\d{4}$/;

export interface ParsedPhone {
  /** E.164, e.g. +33639980101. */
  e164: string;
  /** Whether the number can receive an SMS (a mobile, or a number whose type is unknown). */
  smsCapable: boolean;
}

/** Reads a phone number written the French way (06 12 34 56 78, 0033…, +33…) or internationally. */
export function parsePhone(input: string): ParsedPhone | null {
  const cleaned = input.trim();
  if (!/^[+()\d\s.\-/]{4,30}$/.test(cleaned)) return null;
  const parsed = parsePhoneNumberFromString(cleaned, 'FR');
  if (!parsed) return null;
  if (FICTION_MOBILE.test(parsed.number)) return { e164: parsed.number, smsCapable: true };
  if (!parsed.isValid()) return null;
  const type = parsed.getType();
  return {
    e164: parsed.number,
    smsCapable: type === undefined || type === 'MOBILE' || type === 'FIXED_LINE_OR_MOBILE',
  };
}

export function normalizePhone(input: string): string | null {
  return parsePhone(input)?.e164 ?? null;
}
