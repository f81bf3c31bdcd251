import escapeHtml from 'escape-html';
import type { DossierStatus } from '@diapason/domain';
import { formatEuros } from '@diapason/domain';
import { frenchDate } from '@diapason/notifier';

const e = (value: string) => escapeHtml(value);

/** Readable on a phone, high contrast (DSFR blue on white, AA at least), labelled, keyboard first. */
const STYLE = `
*{box-sizing:border-box}
body{margin:0;font-family:system-ui,-apple-system,"Segoe UI",Arial,sans-serif;font-size:1.0625rem;line-height:1.5;color:#161616;background:#f6f6f6}
header{background:#000091;color:#fff;padding:1rem}
header p{margin:0;font-weight:700;font-size:1.125rem}
main{max-width:36rem;margin:0 auto;padding:1rem}
h1{font-size:1.5rem;margin:.5rem 0 1rem}
.card{background:#fff;border:1px solid #ddd;border-radius:.5rem;padding:1rem;margin:0 0 1rem}
dl{margin:0}
dt{font-size:.9375rem;color:#3a3a3a}
dd{margin:0 0 .75rem;font-weight:700;font-size:1.125rem}
.amount{font-size:2rem}
button,.button{display:block;width:100%;padding:.875rem 1rem;margin:.5rem 0;font-size:1.0625rem;font-weight:700;border-radius:.25rem;border:2px solid #000091;cursor:pointer;text-align:center;text-decoration:none}
.primary{background:#000091;color:#fff}
.secondary{background:#fff;color:#000091}
button:focus-visible,.button:focus-visible,a:focus-visible{outline:3px solid #0a76f6;outline-offset:2px}
.notice{border-left:4px solid #18753c;background:#b8fec9;padding:.75rem 1rem;margin:0 0 1rem;color:#0b3d1e}
.warning{border-left:4px solid #b34000;background:#ffe9e6;padding:.75rem 1rem;margin:0 0 1rem;color:#5e2a00}
footer{max-width:36rem;margin:0 auto;padding:1rem;font-size:.9375rem;color:#3a3a3a}
`;

function layout(title: string, hospital: string, body: string): string {
  return `<!doctype html>
<html lang="fr">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>${e(title)}</title>
<style>${STYLE}</style>
</head>
<body>
<header><p>${e(hospital)}</p></header>
<main id="contenu">
${body}
</main>
<footer>Paiement différé par carte bancaire (DIAPASON) pour les établissements publics de santé.</footer>
</body>
</html>`;
}

/** A message about what the patient just did: done (`success`) or refused / too late (`warning`). */
export interface PageMessage {
  tone: 'success' | 'warning';
  text: string;
}

/** Everything the page says, read from the dossier (see PresentPatientPage). */
export interface PatientPageModel {
  token: string;
  hospitalName: string;
  amountCents: number;
  gapDossierNumber: string;
  imprintedAt: Date;
  status: DossierStatus;
  /** Planned debit; null while the notice is not yet acknowledged. */
  debitDate: Date | null;
  /** Debit date if the patient acknowledges now. */
  debitDateIfAcknowledgedNow: Date;
  /** When the debit was sent to the bank (`completing` and after). */
  debitStartedAt: Date | null;
  /** When the debit succeeded (`completed`). */
  paidAt: Date | null;
  cancelledByPatient: boolean;
  acknowledged: boolean;
  /** Whether the lifecycle still allows « Payer autrement ». */
  canPayOtherwise: boolean;
  regie: { name: string; phone: string | null; email: string | null; address: string | null; openingHours: string | null };
  message?: PageMessage;
}

function regieBlock(m: PatientPageModel): string {
  const lines = [
    m.regie.phone ? `Téléphone : <a href="tel:${e(m.regie.phone.replace(/[^+\d]/g, ''))}">${e(m.regie.phone)}</a>` : null,
    m.regie.email ? `Courriel : <a href="mailto:${e(m.regie.email)}">${e(m.regie.email)}</a>` : null,
    m.regie.address ? e(m.regie.address) : null,
    m.regie.openingHours ? e(m.regie.openingHours) : null,
  ].filter(Boolean);
  return `<section class="card" aria-labelledby="regie"><h2 id="regie" style="font-size:1.125rem;margin-top:0">Une question ? La régie de l’établissement</h2>
<p style="margin:0"><strong>${e(m.regie.name)}</strong><br>${lines.join('<br>')}</p></section>`;
}

const INVOICE = 'L’établissement vous adressera une facture par la voie habituelle.';

/** The debit line of the facts, as true for the status: planned, sent, done, or none at all. */
function debitFact(m: PatientPageModel): string {
  switch (m.status) {
    case 'payment_requested':
      return `<dt>Date prévue du débit</dt><dd>${e(frenchDate(m.debitDateIfAcknowledgedNow))} si vous en prenez connaissance aujourd’hui</dd>`;
    case 'acknowledged':
      return m.debitDate ? `<dt>Date prévue du débit</dt><dd>${e(frenchDate(m.debitDate))}</dd>` : '';
    case 'completing':
      return m.debitStartedAt ? `<dt>Débit lancé le</dt><dd>${e(frenchDate(m.debitStartedAt))}</dd>` : '';
    case 'completed':
      return m.paidAt ? `<dt>Débité le</dt><dd>${e(frenchDate(m.paidAt))}</dd>` : '';
    default:
      return '';
  }
}

/** Where the dossier stands, for a dossier the patient can no longer act on. */
function closedText(m: PatientPageModel): string {
  switch (m.status) {
    case 'completing':
      return 'Le débit de votre carte est en cours : ce montant ne peut plus être réglé autrement.';
    case 'completed':
      return `Ce montant a été réglé par votre carte bancaire${m.paidAt ? ` le ${frenchDate(m.paidAt)}` : ''}. Merci.`;
    case 'cancelled':
      return m.cancelledByPatient
        ? `Vous avez choisi de régler ce montant autrement : votre carte ne sera pas débitée. ${INVOICE}`
        : `L’établissement a annulé ce paiement par carte : votre carte ne sera pas débitée. ${INVOICE}`;
    case 'bank_rejected':
      return `Votre banque a refusé le débit : votre carte n’a pas été débitée. ${INVOICE}`;
    case 'awaiting_imprint':
    case 'imprinted':
      return 'Aucun paiement n’est demandé pour l’instant.';
    default:
      return `Ce montant ne sera pas débité sur votre carte. ${INVOICE}`;
  }
}

export function patientPage(m: PatientPageModel): string {
  const facts = `<section class="card" aria-labelledby="details">
<h2 id="details" style="font-size:1.125rem;margin-top:0">Votre dossier</h2>
<dl>
<dt>Montant restant à votre charge</dt><dd class="amount">${e(formatEuros(m.amountCents))}</dd>
<dt>Établissement</dt><dd>${e(m.hospitalName)}</dd>
<dt>Numéro de dossier</dt><dd>${e(m.gapDossierNumber)}</dd>
<dt>Empreinte de carte bancaire réalisée le</dt><dd>${e(frenchDate(m.imprintedAt))}</dd>
${debitFact(m)}
</dl></section>`;
  let actions: string;
  if (m.canPayOtherwise) {
    actions = `<section class="card" aria-labelledby="choix"><h2 id="choix" style="font-size:1.125rem;margin-top:0">Vos choix</h2>
${
  m.acknowledged
    ? '<p>Vous avez pris connaissance de ce montant. Sauf autre choix de votre part, il sera débité à la date indiquée.</p>'
    : `<form method="post" action="/p/${e(m.token)}/prise-de-connaissance"><button type="submit" class="primary">J’ai pris connaissance</button></form>`
}
<p>Vous pouvez aussi régler ce montant autrement (chèque, espèces, virement, paiement en ligne) : la carte ne sera alors pas débitée.</p>
<a class="button secondary" href="/p/${e(m.token)}/payer-autrement">Payer autrement</a>
</section>`;
  } else {
    actions = `<p class="notice" role="status">${e(closedText(m))}</p>`;
  }
  const message = m.message ? `<p class="${m.message.tone === 'success' ? 'notice' : 'warning'}" role="status">${e(m.message.text)}</p>` : '';
  return layout(
    `Votre reste à charge — ${m.hospitalName}`,
    m.hospitalName,
    `<h1>Paiement de votre séjour</h1>${message}${facts}${actions}${regieBlock(m)}`,
  );
}

export function confirmOtherPaymentPage(m: PatientPageModel): string {
  return layout(
    'Payer autrement — confirmation',
    m.hospitalName,
    `<h1>Payer autrement</h1>
<section class="card">
<p>Vous choisissez de régler <strong>${e(formatEuros(m.amountCents))}</strong> (dossier ${e(m.gapDossierNumber)}) par un autre moyen que la carte présentée à l’admission.</p>
<p>Votre carte ne sera pas débitée. L’établissement vous adressera une facture par la voie habituelle.</p>
<form method="post" action="/p/${e(m.token)}/payer-autrement">
<button type="submit" class="primary">Confirmer : je paierai autrement</button>
</form>
<a class="button secondary" href="/p/${e(m.token)}">Retour, garder le paiement par carte</a>
</section>${regieBlock(m)}`,
  );
}

export function errorPage(title: string, message: string): string {
  return layout(
    title,
    'DIAPASON',
    `<h1>${e(title)}</h1><p class="warning" role="alert">${e(message)}</p>
<p>Si vous avez reçu un SMS ou un courriel de votre établissement de santé, vérifiez que le lien est complet, ou contactez la régie dont les coordonnées figurent dans le message.</p>`,
  );
}
