import fc from 'fast-check';
import { SegmentedMessage } from 'sms-segments-calculator';
import { smsSize, toGsm7 } from './gsm';

describe('GSM-7', () => {
  it('keeps the French letters of the GSM alphabet and replaces the others', () => {
    expect(toGsm7('Régie, à payer, déjà réglé')).toBe('Régie, à payer, déjà réglé');
    expect(toGsm7('Hôpital « Saint-Côme » – reçu l’avis')).toBe('Hopital " Saint-Come " - recu l\'avis');
    expect(toGsm7('17,50\u202f€')).toBe('17,50 €');
    expect(smsSize(toGsm7('Hôpital 🏥 ç')).encoding).toBe('GSM-7');
  });

  it('agrees with Twilio’s calculator on the whole GSM alphabet', () => {
    const all =
      '@£$¥èéùìòÇØøÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà^{}\\[~]|€';
    expect(toGsm7(all)).toBe(all);
    expect(smsSize(all).encoding).toBe('GSM-7');
  });

  it('counts segments as the operators do', () => {
    expect(smsSize('a'.repeat(160)).segments).toBe(1);
    expect(smsSize('a'.repeat(161)).segments).toBe(2);
    expect(smsSize('a'.repeat(306)).segments).toBe(2);
    expect(smsSize('€'.repeat(80)).segments).toBe(1);
    expect(smsSize('ç').encoding).toBe('UCS-2');
  });

  it('counts GSM-7 texts exactly as Twilio’s calculator does (property)', () => {
    const alphabet = [
      ...'@£$¥èéùìòÇØøÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà^{}\\[~]|€',
    ];
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...alphabet), { maxLength: 500 }), (chars) => {
        const text = chars.join('');
        const reference = new SegmentedMessage(text, 'auto');
        expect(smsSize(text).segments).toBe(text === '' ? 1 : reference.segmentsCount);
      }),
      { numRuns: 300 },
    );
  });
});
