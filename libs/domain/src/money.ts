import { DomainError } from './errors';

/** Amounts are integer euro cents; there is no float anywhere on the money path. */
export type Cents = number;

/** The V2 Concert amount field has 8 digits: 999 999,99 € is the most a terminal can carry. */
export const MAX_AMOUNT_CENTS: Cents = 99_999_999;

export const EUR_NUMERIC_CODE = '978';

export function isCents(value: unknown): value is Cents {
  return typeof value === 'number' && Number.isSafeInteger(value);
}

export function assertPositiveCents(value: unknown, field: string): Cents {
  if (!isCents(value) || value <= 0 || value > MAX_AMOUNT_CENTS) {
    throw new DomainError('invalid', 'invalid_amount', `Le montant ${field} doit être un nombre entier de centimes entre 1 et ${MAX_AMOUNT_CENTS}.`, {
      field,
    });
  }
  return value;
}

/** "1 234,56 €", with plain spaces so that the text stays within the GSM-7 alphabet. */
export function formatEuros(cents: Cents): string {
  if (!isCents(cents)) throw new TypeError(`Not an amount in cents: ${String(cents)}`);
  const sign = cents < 0 ? '-' : '';
  const abs = Math.abs(cents);
  const euros = Math.trunc(abs / 100)
    .toString()
    .replace(/\B(?=(\d{3})+(?!\d))/g, ' ');
  const rest = (abs % 100).toString().padStart(2, '0');
  return `${sign}${euros},${rest} €`;
}
