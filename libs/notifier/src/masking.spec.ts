import { maskContactsIn, maskContactsInError, maskRecipient } from './masking';

describe('masking contact details', () => {
  it('masks a recipient', () => {
    expect(maskRecipient('jean.dupont@example.fr')).toBe('j***@example.fr');
    expect(maskRecipient('+33639980111')).toBe('+3363*****11');
  });

  it('masks the address an SMTP server quotes in its refusal, and keeps the codes', () => {
    const masked = maskContactsIn(
      "E-mail refusé : Can't send mail - all recipients were rejected: 550 5.1.1 <jean.dupont@example.fr>: adresse inconnue",
    );
    expect(masked).toContain('550 5.1.1 <j***@example.fr>');
    expect(masked).not.toContain('jean.dupont');
  });

  it('masks bare addresses and several of them', () => {
    const masked = maskContactsIn('Adresse refusée : a.b+c@x.test, puis claire@y.test');
    expect(masked).toBe('Adresse refusée : a***@x.test, puis c***@y.test');
  });

  it('masks phone numbers written in any usual way, not error codes', () => {
    expect(maskContactsIn("The 'To' number +33639980000 is not a valid phone number.")).toBe(
      "The 'To' number +3363*****00 is not a valid phone number.",
    );
    expect(maskContactsIn('numéro 06 39 98 01 11 injoignable')).not.toContain('98 01');
    expect(maskContactsIn('numéro 06.39.98.01.11 injoignable')).not.toContain('98.01');
    expect(maskContactsIn('numéro 0033639980111')).not.toContain('639980111');
    expect(maskContactsIn('SMS non remis (undelivered, code 30003) : numéro erroné ou injoignable.')).toBe(
      'SMS non remis (undelivered, code 30003) : numéro erroné ou injoignable.',
    );
    expect(maskContactsIn('421 4.7.0 Try again later')).toBe('421 4.7.0 Try again later');
  });

  it('masks the contacts a transient provider error quotes, keeping its name and codes', () => {
    const error = Object.assign(new Error('450 4.2.1 <jean.dupont@example.fr>: boîte pleine, réessayez'), { name: 'SmtpError', responseCode: 450 });
    const masked = maskContactsInError(error) as Error & { responseCode: number };
    expect(masked.message).toBe('450 4.2.1 <j***@example.fr>: boîte pleine, réessayez');
    expect(masked.name).toBe('SmtpError');
    expect(masked.responseCode).toBe(450);
    expect(masked.stack).not.toContain('jean.dupont');
    const plain = new Error('connect ECONNREFUSED 127.0.0.1:587');
    expect(maskContactsInError(plain)).toBe(plain);
  });
});
