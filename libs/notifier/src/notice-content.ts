import escapeHtml from 'escape-html';
import { formatEuros } from '@diapason/domain';
import { smsSize, toGsm7 } from './gsm';

export interface NoticeFacts {
  hospitalName: string;
  amountCents: number;
  gapDossierNumber: string;
  imprintedAt: Date;
  /** When the card will be debited if the patient does nothing else. */
  debitDate: Date;
  regie: RegieContact;
  /** The patient page. */
  link: string;
}

/** The régie as the patient reads it: whom to call, where to go, when. */
export interface RegieContact {
  name: string;
  phone: string | null;
  email: string | null;
  openingHours: string | null;
  address: string | null;
}

/** A régie known only by its code (no contact details given yet) is shown by that code. */
export function regieContact(
  regie: { name: string; phone: string | null; email: string | null; openingHours: string | null; address: string | null } | null,
  regieCode: string,
): RegieContact {
  return {
    name: regie?.name ?? regieCode,
    phone: regie?.phone ?? null,
    email: regie?.email ?? null,
    openingHours: regie?.openingHours ?? null,
    address: regie?.address ?? null,
  };
}

const dateFormat = new Intl.DateTimeFormat('fr-FR', { timeZone: 'Europe/Paris', day: '2-digit', month: '2-digit', year: 'numeric' });

export function frenchDate(date: Date): string {
  return dateFormat.format(date);
}

export const SMS_MAX_SEGMENTS = 2;

/**
 * The SMS notice, in GSM-7 and at most two segments. When the hospital's name is long, it is
 * shortened first, then the least useful words go; the amount, dossier, dates and link always stay.
 */
export function renderSms(facts: NoticeFacts): { body: string; segments: number } {
  const amount = formatEuros(facts.amountCents);
  const regie = facts.regie.phone ? ` Régie : ${facts.regie.phone}` : '';
  const variants = (name: string) => [
    `${name} : votre reste à charge de ${amount} (dossier ${facts.gapDossierNumber}, empreinte CB du ${frenchDate(facts.imprintedAt)}) sera débité le ${frenchDate(facts.debitDate)}, sauf autre choix de votre part. Détails ou autre moyen de paiement : ${facts.link}${regie}`,
    `${name} : reste à charge ${amount}, dossier ${facts.gapDossierNumber}, empreinte du ${frenchDate(facts.imprintedAt)}, débit le ${frenchDate(facts.debitDate)} sauf autre choix : ${facts.link}${regie}`,
    `${name} : ${amount}, dossier ${facts.gapDossierNumber}, empreinte du ${frenchDate(facts.imprintedAt)}, débit le ${frenchDate(facts.debitDate)} : ${facts.link}`,
  ];
  const names = [facts.hospitalName, facts.hospitalName.slice(0, 40).trim(), facts.hospitalName.slice(0, 20).trim()];
  for (const name of names) {
    for (const text of variants(name)) {
      const body = toGsm7(text);
      const { segments } = smsSize(body);
      if (segments <= SMS_MAX_SEGMENTS) return { body, segments };
    }
  }
  const body = toGsm7(`${amount}, dossier ${facts.gapDossierNumber}, débit le ${frenchDate(facts.debitDate)} : ${facts.link}`);
  return { body, segments: smsSize(body).segments };
}

export interface EmailContent {
  subject: string;
  html: string;
  text: string;
}

export function renderEmail(facts: NoticeFacts, pixelUrl: string): EmailContent {
  const e = (value: string) => escapeHtml(value);
  const amount = formatEuros(facts.amountCents);
  const contact = [
    facts.regie.name,
    facts.regie.phone ? `Téléphone : ${facts.regie.phone}` : null,
    facts.regie.email ? `Courriel : ${facts.regie.email}` : null,
    facts.regie.address,
    facts.regie.openingHours,
  ].filter((x): x is string => Boolean(x));
  const rows: [string, string][] = [
    ['Établissement', facts.hospitalName],
    ['Montant restant à votre charge', amount],
    ['Numéro de dossier', facts.gapDossierNumber],
    ['Empreinte de carte bancaire du', frenchDate(facts.imprintedAt)],
    ['Date prévue du débit', frenchDate(facts.debitDate)],
  ];
  const subject = `${facts.hospitalName} — reste à charge de ${amount} (dossier ${facts.gapDossierNumber})`;
  const text = [
    'Madame, Monsieur,',
    '',
    `À la suite de votre séjour, ${facts.hospitalName} vous informe du montant restant à votre charge.`,
    '',
    ...rows.map(([k, v]) => `${k} : ${v}`),
    '',
    `Sauf autre choix de votre part, ce montant sera débité le ${frenchDate(facts.debitDate)} sur la carte bancaire présentée lors de votre admission.`,
    'Vous pouvez à tout moment avant ce débit choisir un autre moyen de paiement, ou indiquer que vous avez pris connaissance de ce message :',
    facts.link,
    '',
    'Pour toute question, la régie de l’établissement :',
    ...contact,
  ].join('\n');
  const html = `<!doctype html>
<html lang="fr"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${e(subject)}</title></head>
<body style="margin:0;padding:0;background:#f4f5f7;font-family:Arial,Helvetica,sans-serif;color:#1b1b1b">
<main style="max-width:560px;margin:0 auto;background:#ffffff;padding:24px">
<h1 style="font-size:20px;margin:0 0 16px">${e(facts.hospitalName)}</h1>
<p>Madame, Monsieur,</p>
<p>À la suite de votre séjour, l’établissement vous informe du montant restant à votre charge.</p>
<table role="presentation" style="border-collapse:collapse;width:100%;margin:16px 0">
${rows.map(([k, v]) => `<tr><th scope="row" style="text-align:left;padding:6px 8px;border-bottom:1px solid #d0d4da;font-weight:normal">${e(k)}</th><td style="padding:6px 8px;border-bottom:1px solid #d0d4da;font-weight:bold">${e(v)}</td></tr>`).join('\n')}
</table>
<p>Sauf autre choix de votre part, ce montant sera débité le <strong>${e(frenchDate(facts.debitDate))}</strong> sur la carte bancaire présentée lors de votre admission. Vous pouvez choisir un autre moyen de paiement à tout moment avant ce débit.</p>
<p style="margin:24px 0"><a href="${e(facts.link)}" style="background:#000091;color:#ffffff;padding:12px 20px;text-decoration:none;border-radius:4px;display:inline-block">J’ai pris connaissance — voir le détail</a></p>
<p>Pour toute question, la régie de l’établissement :<br>${contact.map(e).join('<br>')}</p>
</main>
<img src="${e(pixelUrl)}" width="1" height="1" alt="" style="display:block;border:0">
</body></html>`;
  return { subject, html, text };
}
