import { DomainError } from './errors';
import { DossierStatus, statusLabel } from './dossier-status';

/** Everything that can happen to a dossier after its creation. */
export type DossierEvent =
  | 'imprint_approved'
  | 'payment_requested'
  | 'acknowledged'
  | 'completion_started'
  | 'completion_approved'
  | 'completion_refused'
  | 'cancelled'
  | 'notification_failed'
  | 'ack_timed_out'
  | 'deadline_exceeded';

export interface DossierTransition {
  readonly event: DossierEvent;
  readonly from: readonly DossierStatus[];
  readonly to: DossierStatus;
}

/**
 * The one transition table. A debit that has been sent (`completing`) can no longer be cancelled:
 * only the acceptance server's answer ends it.
 */
export const DOSSIER_TRANSITIONS: readonly DossierTransition[] = [
  { event: 'imprint_approved', from: ['awaiting_imprint'], to: 'imprinted' },
  { event: 'payment_requested', from: ['imprinted'], to: 'payment_requested' },
  { event: 'acknowledged', from: ['payment_requested'], to: 'acknowledged' },
  { event: 'completion_started', from: ['acknowledged'], to: 'completing' },
  { event: 'completion_approved', from: ['completing'], to: 'completed' },
  { event: 'completion_refused', from: ['completing'], to: 'bank_rejected' },
  {
    event: 'cancelled',
    from: ['awaiting_imprint', 'imprinted', 'payment_requested', 'acknowledged'],
    to: 'cancelled',
  },
  { event: 'notification_failed', from: ['payment_requested'], to: 'notification_failed' },
  { event: 'ack_timed_out', from: ['payment_requested'], to: 'not_acknowledged' },
  { event: 'deadline_exceeded', from: ['imprinted', 'payment_requested', 'acknowledged'], to: 'deadline_exceeded' },
];

const BY_EVENT = new Map<DossierEvent, DossierTransition>(DOSSIER_TRANSITIONS.map((t) => [t.event, t]));

export function transitionFor(event: DossierEvent): DossierTransition {
  const transition = BY_EVENT.get(event);
  if (!transition) throw new Error(`Unknown dossier event ${event}`);
  return transition;
}

export function canTransition(current: DossierStatus, event: DossierEvent): boolean {
  return transitionFor(event).from.includes(current);
}

const EVENT_VERBS: Readonly<Record<DossierEvent, string>> = {
  imprint_approved: "enregistrer l'empreinte",
  payment_requested: 'demander le paiement',
  acknowledged: "enregistrer l'accusé de réception",
  completion_started: 'lancer le débit',
  completion_approved: 'enregistrer le débit',
  completion_refused: 'enregistrer le rejet bancaire',
  cancelled: 'annuler le dossier',
  notification_failed: "enregistrer l'échec de notification",
  ack_timed_out: 'abandonner la demande',
  deadline_exceeded: 'clore le dossier pour délais dépassés',
};

export class InvalidTransitionError extends DomainError {
  constructor(
    readonly current: DossierStatus,
    readonly event: DossierEvent,
  ) {
    super(
      'conflict',
      'invalid_transition',
      `Impossible de ${EVENT_VERBS[event]} : le dossier est au statut « ${statusLabel(current)} » (${current}).`,
      { currentStatus: current, event },
    );
  }
}

/** The status reached by `event` from `current`; throws when the table does not allow it. */
export function nextStatus(current: DossierStatus, event: DossierEvent): DossierStatus {
  const transition = transitionFor(event);
  if (!transition.from.includes(current)) throw new InvalidTransitionError(current, event);
  return transition.to;
}

/** Name of the append-only event recorded for a transition, also used for GAP webhooks. */
export function eventTypeFor(event: DossierEvent): string {
  return `dossier.${transitionFor(event).to}`;
}
