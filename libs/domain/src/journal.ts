import type { DossierStatus } from './dossier-status';
import { DOSSIER_TRANSITIONS, eventTypeFor, transitionFor } from './dossier-transitions';

/**
 * Journal entries that record a fact without changing the status. With the `dossier.<status>`
 * entries of the transition table, they are every event type a GAP webhook can carry.
 */
export const FACT_EVENT_TYPES = [
  'dossier.created',
  'dossier.deadline_approaching',
  'imprint.requested',
  'imprint.failed',
  'imprint.approved_after_close',
  'notice.sent',
  'notice.failed',
  'notice.evidence',
] as const;

export type FactEventType = (typeof FACT_EVENT_TYPES)[number];

/** Every type a `dossier_event` row (and so a webhook) can have. */
export const JOURNAL_EVENT_TYPES: readonly string[] = [...FACT_EVENT_TYPES, ...new Set(DOSSIER_TRANSITIONS.map((t) => eventTypeFor(t.event)))];

/** The alert raised once before an imprint becomes useless, as the GAP user reads it. */
export function deadlineAlertMessage(alert: { gapDossierNumber: string; imprintValidUntil: Date; paymentRequested: boolean }): string {
  const what = alert.paymentRequested ? 'le patient n’a pas encore accusé réception de la notification' : 'aucune demande de paiement n’a été reçue';
  return (
    `Dossier GAP ${alert.gapDossierNumber} : l’empreinte expire le ${alert.imprintValidUntil.toISOString().slice(0, 10)} et ${what}. ` +
    'Sans action, le dossier finira en « Délais dépassés ».'
  );
}

/**
 * Statuses in which the GAP is warned before the imprint ends: still waiting for the payment
 * request, or for the patient's acknowledgment (once acknowledged, the debit is already planned).
 */
export const DEADLINE_ALERT_STATUSES: readonly DossierStatus[] = [...transitionFor('payment_requested').from, ...transitionFor('acknowledged').from];
