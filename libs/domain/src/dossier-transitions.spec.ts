import { DOSSIER_STATUSES, DossierStatus, isFinalStatus } from './dossier-status';
import { DossierEvent, InvalidTransitionError, canTransition, eventTypeFor, nextStatus } from './dossier-transitions';

/**
 * The expected lifecycle, written out independently of the table: for each event, the statuses it
 * may leave and the status it reaches. Every other (status, event) pair must be refused.
 */
const EXPECTED: Record<DossierEvent, [DossierStatus[], DossierStatus]> = {
  imprint_approved: [['awaiting_imprint'], 'imprinted'],
  payment_requested: [['imprinted'], 'payment_requested'],
  acknowledged: [['payment_requested'], 'acknowledged'],
  completion_started: [['acknowledged'], 'completing'],
  completion_approved: [['completing'], 'completed'],
  completion_refused: [['completing'], 'bank_rejected'],
  cancelled: [['awaiting_imprint', 'imprinted', 'payment_requested', 'acknowledged'], 'cancelled'],
  notification_failed: [['payment_requested'], 'notification_failed'],
  ack_timed_out: [['payment_requested'], 'not_acknowledged'],
  deadline_exceeded: [['imprinted', 'payment_requested', 'acknowledged'], 'deadline_exceeded'],
};

const EVENTS = Object.keys(EXPECTED) as DossierEvent[];

const allowed: [DossierStatus, DossierEvent, DossierStatus][] = [];
const refused: [DossierStatus, DossierEvent][] = [];
for (const event of EVENTS) {
  const [from, to] = EXPECTED[event];
  for (const status of DOSSIER_STATUSES) {
    if (from.includes(status)) allowed.push([status, event, to]);
    else refused.push([status, event]);
  }
}

describe('dossier transition table', () => {
  it.each(allowed)('allows %s --%s--> %s', (from, event, to) => {
    expect(canTransition(from, event)).toBe(true);
    expect(nextStatus(from, event)).toBe(to);
  });

  it.each(refused)('refuses %s --%s-->', (from, event) => {
    expect(canTransition(from, event)).toBe(false);
    expect(() => nextStatus(from, event)).toThrow(InvalidTransitionError);
    try {
      nextStatus(from, event);
    } catch (error) {
      const e = error as InvalidTransitionError;
      expect(e.code).toBe('invalid_transition');
      expect(e.kind).toBe('conflict');
      expect(e.details).toEqual({ currentStatus: from, event });
      expect(e.message).toContain(`(${from})`);
    }
  });

  it('never leaves a final status', () => {
    for (const status of DOSSIER_STATUSES.filter(isFinalStatus)) {
      for (const event of EVENTS) expect(canTransition(status, event)).toBe(false);
    }
  });

  it('cannot cancel once the debit has been sent', () => {
    expect(canTransition('completing', 'cancelled')).toBe(false);
  });

  it('names the recorded event after the status reached', () => {
    expect(eventTypeFor('completion_approved')).toBe('dossier.completed');
    expect(eventTypeFor('ack_timed_out')).toBe('dossier.not_acknowledged');
  });
});
