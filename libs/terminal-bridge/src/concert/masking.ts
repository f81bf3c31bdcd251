/**
 * The card number never goes further than this function: first 6 and last 4 digits at most, the
 * rest replaced by '#', the way acceptance tickets print it.
 */
export function maskPan(pan: string): string | null {
  const digits = pan.replace(/\D/g, '');
  if (digits.length < 12 || digits.length > 19) return null;
  return `${digits.slice(0, 6)}${'#'.repeat(digits.length - 10)}${digits.slice(-4)}`;
}

/** Already masked by the terminal (`123456######7890`)? Keep only what the mask allows. */
export function normaliseMaskedPan(value: string): string | null {
  const trimmed = value.trim();
  if (/^\d{6}[#*X]{2,9}\d{4}$/.test(trimmed)) return trimmed.replace(/[*X]/g, '#');
  return maskPan(trimmed);
}
