import { assertPositiveCents, formatEuros } from './money';

describe('money', () => {
  it('formats cents as French euros without floats', () => {
    expect(formatEuros(1250)).toBe('12,50 €');
    expect(formatEuros(5)).toBe('0,05 €');
    expect(formatEuros(123456789)).toBe('1 234 567,89 €');
    expect(formatEuros(-100)).toBe('-1,00 €');
  });

  it('refuses anything that is not a positive integer of cents', () => {
    for (const bad of [0, -1, 1.5, Number.NaN, '12', null, 100_000_000]) {
      expect(() => assertPositiveCents(bad, 'amountCents')).toThrow(/centimes/);
    }
    expect(assertPositiveCents(1, 'amountCents')).toBe(1);
  });
});
