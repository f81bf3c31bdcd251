import { renderEmail, renderSms } from './notice-content';
import { smsSize } from './gsm';

const facts = {
  hospitalName: 'Centre hospitalier de démonstration',
  amountCents: 1750,
  gapDossierNumber: 'GAP-2026-000123',
  imprintedAt: new Date('2026-11-20T09:00:00Z'),
  debitDate: new Date('2026-11-26T09:00:00Z'),
  regie: { name: 'Régie des recettes', phone: '01 99 00 12 34', email: 'regie@demo.test', openingHours: 'Du lundi au vendredi', address: null },
  link: 'https://diapason.example.test/p/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA',
};

describe('notice content', () => {
  it('says everything in an SMS of at most two GSM-7 segments', () => {
    const sms = renderSms(facts);
    expect(sms.body).toContain('17,50 €');
    expect(sms.body).toContain('GAP-2026-000123');
    expect(sms.body).toContain('20/11/2026');
    expect(sms.body).toContain('26/11/2026');
    expect(sms.body).toContain(facts.link);
    expect(sms.body).toContain('01 99 00 12 34');
    expect(sms.segments).toBeLessThanOrEqual(2);
    expect(smsSize(sms.body).encoding).toBe('GSM-7');
  });

  it('stays within two segments with a very long hospital name', () => {
    const sms = renderSms({
      ...facts,
      hospitalName: 'Centre hospitalier intercommunal de la Haute-Vallée et des Côteaux réunis — site principal',
      gapDossierNumber: 'X'.repeat(40),
    });
    expect(sms.segments).toBeLessThanOrEqual(2);
    expect(sms.body).toContain(facts.link);
  });

  it('writes the e-mail in HTML and plain text, escaping what it is given', () => {
    const mail = renderEmail({ ...facts, hospitalName: 'CH <Saint & Co>' }, 'https://x.test/p/T/o.gif');
    expect(mail.subject).toBe('CH <Saint & Co> — reste à charge de 17,50 € (dossier GAP-2026-000123)');
    expect(mail.html).toContain('CH &lt;Saint &amp; Co&gt;');
    expect(mail.html).toContain('lang="fr"');
    expect(mail.html).toContain('https://x.test/p/T/o.gif');
    expect(mail.text).toContain('Date prévue du débit : 26/11/2026');
    expect(mail.text).toContain(facts.link);
  });
});
