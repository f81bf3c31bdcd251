import { randomUUID } from 'node:crypto';
import type { DossierStatus } from '@diapason/domain';
import { canTransition } from '@diapason/domain';
import { DossierLifecycle, DossierSweeps, LifecycleCommand } from '@diapason/lifecycle';
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

type Step = (lifecycle: DossierLifecycle, command: Omit<LifecycleCommand, 'facts'>, at: Date) => Promise<unknown>;

/**
 * Drives a dossier through the state machine without the terminal, acquirer or notifier, for the
 * tests of the foundation. Every step is a call of the lifecycle service, at the harness's clock,
 * like the real code makes it: no row is patched.
 */
export async function driveTo(api: ApiHarness, dossierId: string, target: DossierStatus, ceilingCents = 5000): Promise<DossierEntity> {
  const tx = api.app.get(TransactionContext);
  const lifecycle = api.app.get(DossierLifecycle);
  const dossiers = api.app.get(DossierRepository);
  const noticeId = randomUUID();
  const steps: Record<string, { event: Parameters<typeof canTransition>[1]; run: Step }> = {
    imprint: {
      event: 'imprint_approved',
      run: (l, c, at) =>
        l.imprintApproved({
          ...c,
          facts: { at, attemptId: null, terminalCode: null, terminalModel: null, ceilingCents, maskedPan: null, authorisationNumber: null },
        }),
    },
    pay: {
      event: 'payment_requested',
      run: async (l, c, at) => {
        await l.paymentRequested({ ...c, facts: { at, amountCents: Math.min(1750, ceilingCents), invoiceReference: null } });
        await l.noticeSent({ ...c, facts: { at, noticeId, channel: 'sms', recipient: '+33 6 •• •• •• 01', providerId: 'SMfixture', segments: 1 } });
      },
    },
    ack: {
      event: 'acknowledged',
      run: (l, c, at) =>
        l.evidenceReceived({ ...c, facts: { noticeId, channel: 'sms', kind: 'delivery_receipt', at, userAgent: null, counts: true } }),
    },
    start: {
      event: 'completion_started',
      run: (l, c, at) => l.completionStarted({ ...c, facts: { at, leaseUntil: new Date(at.getTime() + api.config.scheduler.completionLeaseMs) } }),
    },
    approve: {
      event: 'completion_approved',
      run: async (_l, c, at) => {
        const d = (await dossiers.findById(c.establishmentId, c.dossierId))!;
        await recordOutcome(api, d, at, { status: 'approved', transactionReference: 'ACQFIXTURE', settlementDate: at.toISOString().slice(0, 10) });
      },
    },
    refuse: {
      event: 'completion_refused',
      run: async (_l, c, at) => {
        const d = (await dossiers.findById(c.establishmentId, c.dossierId))!;
        await recordOutcome(api, d, at, { status: 'refused', reasonCode: '05', reasonMessage: 'Refus de la banque (fixture).' });
      },
    },
    cancel: { event: 'cancelled', run: (l, c, at) => l.cancel({ ...c, facts: { at, reason: 'test' } }) },
    fail: {
      event: 'notification_failed',
      run: (l, c, at) => l.notificationFailed({ ...c, facts: { at, reasons: [{ channel: 'sms', reason: 'fixture' }] } }),
    },
    abandon: { event: 'ack_timed_out', run: (l, c, at) => l.ackTimedOut({ ...c, facts: { at } }) },
    expire: { event: 'deadline_exceeded', run: (l, c, at) => l.deadlineExceeded({ ...c, facts: { at } }) },
  };
  const paths: Record<DossierStatus, (keyof typeof steps)[]> = {
    awaiting_imprint: [],
    imprinted: ['imprint'],
    payment_requested: ['imprint', 'pay'],
    acknowledged: ['imprint', 'pay', 'ack'],
    completing: ['imprint', 'pay', 'ack', 'start'],
    completed: ['imprint', 'pay', 'ack', 'start', 'approve'],
    bank_rejected: ['imprint', 'pay', 'ack', 'start', 'refuse'],
    cancelled: ['cancel'],
    notification_failed: ['imprint', 'pay', 'fail'],
    not_acknowledged: ['imprint', 'pay', 'abandon'],
    deadline_exceeded: ['imprint', 'expire'],
  };
  return tx.run(async () => {
    let dossier = (await dossiers.findByIdAnywhere(dossierId))!;
    const command = { establishmentId: dossier.establishmentId, dossierId, actor: { type: 'system' as const, id: 'test-fixture' } };
    for (const name of paths[target]) {
      const step = steps[name];
      // Steps already taken (the dossier may be part-way along the path) are skipped.
      if (!canTransition(dossier.status, step.event)) continue;
      await step.run(lifecycle, command, api.clock.now());
      dossier = (await dossiers.findByIdAnywhere(dossierId))!;
    }
    return dossier;
  });
}

async function recordOutcome(api: ApiHarness, dossier: DossierEntity, at: Date, outcome: Record<string, unknown>): Promise<void> {
  await api.app
    .get(DossierSweeps)
    .recordCompletionOutcomes([{ dossierId: dossier.id, completionKey: dossier.completionKey!, ...outcome } as never], at, 'test-fixture');
}
