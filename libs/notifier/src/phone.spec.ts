import { normalizePhone, parsePhone } from './phone';

describe('phone numbers', () => {
  it.each([
    ['06 39 98 01 01', '+33639980101'],
    ['06.39.98.01.01', '+33639980101'],
    ['0033 6 39 98 01 01', '+33639980101'],
    ['+33 6 39 98 01 01', '+33639980101'],
    ['01 99 00 12 34', '+33199001234'],
    ['+44 7911 123456', '+447911123456'],
  ])('normalises %s to %s', (input, e164) => {
    expect(normalizePhone(input)).toBe(e164);
  });

  it.each(['0612', 'abc', '06 39 98 01 01 01 01', '+33 7 00 00 00 00', ''])('refuses %s', (input) => {
    expect(normalizePhone(input)).toBeNull();
  });

  it('knows a landline cannot receive an SMS', () => {
    expect(parsePhone('01 99 00 12 34')?.smsCapable).toBe(false);
    expect(parsePhone('06 39 98 01 01')?.smsCapable).toBe(true);
  });
});
