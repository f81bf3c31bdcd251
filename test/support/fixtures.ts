import { DossierEvent, DossierStatus, canTransition, imprintValidUntil } from '@diapason/domain';
import { DossierEntity, DossierRepository, TransactionContext } from '@diapason/persistence';
import type { ApiHarness } from './api-harness';

let counter = 0;

/** A plausible dossier body; phone numbers are in the ARCEP fiction range 06 39 98 xx xx. */
export function dossierBody(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  counter += 1;
  return {
    gapDossierNumber: `GAP-${Date.now().toString(36)}-${counter}`,
    regieCode: 'REGIE-01',
    patient: { lastName: 'Martin', firstName: 'Claire', phone: '06 39 98 01 01', email: 'claire.martin@example.test' },
    admissionDate: '2026-11-20',
    ...overrides,
  };
}

export async function createDossier(api: ApiHarness, key: string, overrides: Record<string, unknown> = {}) {
  const res = await api.request('POST', '/v1/dossiers', { key, body: dossierBody(overrides) });
  if (res.status !== 201) throw new Error(`dossier creation failed: ${res.status} ${res.text}`);
  return res.body as { id: string; gapDossierNumber: string; status: DossierStatus };
}

/**
 * Drives a dossier through the state machine without the terminal, acquirer or notifier, for the
 * tests of the foundation. Every step goes through DossierRepository.transition, like the real code.
 */
export async function driveTo(api: ApiHarness, dossierId: string, target: DossierStatus, ceilingCents = 5000): Promise<DossierEntity> {
  const tx = api.app.get(TransactionContext);
  const dossiers = api.app.get(DossierRepository);
  const paths: Record<DossierStatus, DossierEvent[]> = {
    awaiting_imprint: [],
    imprinted: ['imprint_approved'],
    payment_requested: ['imprint_approved', 'payment_requested'],
    acknowledged: ['imprint_approved', 'payment_requested', 'acknowledged'],
    completing: ['imprint_approved', 'payment_requested', 'acknowledged', 'completion_started'],
    completed: ['imprint_approved', 'payment_requested', 'acknowledged', 'completion_started', 'completion_approved'],
    bank_rejected: ['imprint_approved', 'payment_requested', 'acknowledged', 'completion_started', 'completion_refused'],
    cancelled: ['cancelled'],
    notification_failed: ['imprint_approved', 'payment_requested', 'notification_failed'],
    not_acknowledged: ['imprint_approved', 'payment_requested', 'ack_timed_out'],
    deadline_exceeded: ['imprint_approved', 'deadline_exceeded'],
  };
  return tx.run(async (manager) => {
    let dossier = await manager.findOneByOrFail(DossierEntity, { id: dossierId });
    for (const event of paths[target]) {
      // Steps already taken (the dossier may be part-way along the path) are skipped.
      if (!canTransition(dossier.status, event)) continue;
      const at = api.clock.now();
      const patch: Partial<DossierEntity> =
        event === 'imprint_approved'
          ? { ceilingCents, imprintedAt: at, imprintValidUntil: imprintValidUntil(at, api.config.delays) }
          : event === 'payment_requested'
            ? {
                amountCents: Math.min(1750, ceilingCents),
                paymentRequestedAt: at,
                noticeSentAt: at,
                ackDueAt: new Date(at.getTime() + api.config.delays.ackTimeoutMs),
              }
            : event === 'acknowledged'
              ? { acknowledgedAt: at, completionDueAt: new Date(at.getTime() + api.config.delays.completionDelayMs) }
              : event === 'cancelled'
                ? { cancelledAt: at, cancelReason: 'test' }
                : event === 'completion_started'
                  ? { completionKey: `diapason-completion-${dossierId}`, completionStartedAt: at }
                  : {};
      dossier = await dossiers.transition(dossier, event, { at, actor: { type: 'system', id: 'test-fixture' }, patch });
    }
    return dossier;
  });
}
