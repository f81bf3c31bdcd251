import { smsSize, toGsm7 } from './gsm';

describe('GSM-7', () => {
  it('keeps the French letters of the GSM alphabet and replaces the others', () => {
    expect(toGsm7('Régie, à payer, déjà réglé')).toBe('Régie, à payer, déjà réglé');
    expect(toGsm7('Hôpital « Saint-Côme » – reçu l’avis')).toBe('Hopital " Saint-Come " - recu l\'avis');
    expect(toGsm7('17,50\u202f€')).toBe('17,50 €');
    expect(smsSize(toGsm7('Hôpital 🏥 ç')).encoding).toBe('GSM-7');
  });

  it('counts segments as the operators do', () => {
    expect(smsSize('a'.repeat(160)).segments).toBe(1);
    expect(smsSize('a'.repeat(161)).segments).toBe(2);
    expect(smsSize('a'.repeat(306)).segments).toBe(2);
    expect(smsSize('€'.repeat(80)).segments).toBe(1);
    expect(smsSize('ç').encoding).toBe('UCS-2');
  });
});
