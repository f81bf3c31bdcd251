import { Injectable } from '@nestjs/common';
import { DEADLINE_ALERT_STATUSES, FINAL_STATUSES, deadlineAlertMessage, transitionFor } from '@diapason/domain';
import { ClaimedCompletion, CompletionOutcome, DossierWriteRepository, TransactionContext } from '@diapason/persistence';
import { COMPLETION_KEY_PREFIX, specFor } from './dossier-lifecycle';

/** The one status a sent debit is in: what both of its outcomes leave. */
const COMPLETING = transitionFor('completion_approved').from[0];
const DEADLINE_APPROACHING = 'dossier.deadline_approaching';

/**
 * The set-based forms of the lifecycle, for the worker's sweeps: each moves a batch of dossiers
 * along one row of the transition table in one statement (one round trip, one commit), picking
 * due rows with FOR UPDATE SKIP LOCKED so that any number of workers can run side by side.
 */
@Injectable()
export class DossierSweeps {
  constructor(
    private readonly tx: TransactionContext,
    private readonly writes: DossierWriteRepository,
  ) {}

  /** `completion_started` for acknowledged dossiers whose debit date has come, within the imprint's validity. */
  startDueCompletions(now: Date, limit: number, leaseMs: number, worker: string): Promise<ClaimedCompletion[]> {
    return this.writes.claimDueCompletions(
      specFor('completion_started'),
      now,
      limit,
      new Date(now.getTime() + leaseMs),
      worker,
      COMPLETION_KEY_PREFIX,
    );
  }

  /** Debits sent by a worker that did not record their outcome within its lease: taken over. */
  reclaimStalledCompletions(now: Date, limit: number, leaseMs: number): Promise<ClaimedCompletion[]> {
    return this.writes.claimStalledCompletions(COMPLETING, now, limit, new Date(now.getTime() + leaseMs));
  }

  /** Outcome still unknown: the debit stays sent, and is asked about again after `until`. */
  deferCompletion(dossierId: string, until: Date): Promise<void> {
    return this.writes.deferCompletion(COMPLETING, dossierId, until);
  }

  /** `completion_approved` / `completion_refused` for a batch of answers of the acceptance server. */
  recordCompletionOutcomes(outcomes: CompletionOutcome[], now: Date, worker: string): Promise<number> {
    return this.writes.recordCompletionOutcomes(specFor('completion_approved'), specFor('completion_refused'), outcomes, now, worker);
  }

  /** `ack_timed_out`: no acknowledgment within Y after the notice; the GAP falls back to ordinary collection. */
  abandonUnacknowledged(now: Date, limit: number): Promise<number> {
    return this.writes.closeDue(specFor('ack_timed_out'), 'ack_due_at', now, limit);
  }

  /** `deadline_exceeded`: the imprint can no longer be completed. */
  closeExpiredImprints(now: Date, limit: number): Promise<number> {
    return this.writes.closeDue(specFor('deadline_exceeded'), 'imprint_valid_until', now, limit);
  }

  /**
   * Dossiers whose imprint ends within `horizon` (margin + X) and that still wait for the payment
   * request or the acknowledgment: alerted once (journal event, alert row).
   */
  raiseDeadlineAlerts(now: Date, horizon: Date, limit: number, newId: () => string): Promise<number> {
    return this.tx.run(async () => {
      const marked = await this.writes.markDeadlineAlerts(DEADLINE_ALERT_STATUSES, DEADLINE_APPROACHING, now, horizon, limit);
      const waitsForPatient = transitionFor('acknowledged').from;
      await this.writes.insertAlerts(
        marked.map((d) => ({
          id: newId(),
          establishmentId: d.establishmentId,
          dossierId: d.id,
          type: DEADLINE_APPROACHING,
          message: deadlineAlertMessage({
            gapDossierNumber: d.gapDossierNumber,
            imprintValidUntil: d.imprintValidUntil,
            paymentRequested: waitsForPatient.includes(d.status),
          }),
          deadlineAt: d.imprintValidUntil,
          createdAt: now,
        })),
      );
      return marked.length;
    });
  }

  /**
   * RGPD retention, not a transition: the personal data of dossiers final for longer than
   * `retention` (a PostgreSQL interval) is erased, a batch at a time; their status, amounts,
   * references and journal events stay (accounting records). Returns how many were erased.
   */
  async erasePersonalData(now: Date, retention: string, limit: number): Promise<number> {
    return (await this.writes.erasePersonalData(FINAL_STATUSES, now, retention, limit)).length;
  }
}
