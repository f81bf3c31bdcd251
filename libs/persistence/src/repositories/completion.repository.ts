import { Injectable } from '@nestjs/common';
import { DossierEvent, DossierStatus, eventTypeFor, transitionFor } from '@diapason/domain';
import { returnedRows } from '../raw-result';
import { TransactionContext } from '../transaction-context';

/** A debit to send: the dossier, its amount and the references of its imprint. */
export interface ClaimedCompletion {
  dossierId: string;
  establishmentId: string;
  amountCents: number;
  completionKey: string;
  authorisationNumber: string | null;
  acquirerReference: string | null;
  maskedPan: string | null;
  itpAcceptanceServer: string | null;
  itpAcceptancePoint: string | null;
  attempts: number;
}

export type CompletionOutcome = { dossierId: string; completionKey: string } & (
  | { status: 'approved'; transactionReference: string | null; settlementDate: string | null }
  | { status: 'refused'; reasonCode: string | null; reasonMessage: string }
);

export function completionKeyFor(dossierId: string): string {
  return `diapason-completion-${dossierId}`;
}

const from = (event: DossierEvent) => transitionFor(event).from as DossierStatus[];
const to = (event: DossierEvent) => transitionFor(event).to;

/**
 * The scheduler's statements. Each claims or closes a batch in one round trip: the rows are picked
 * with FOR UPDATE SKIP LOCKED through the partial index of their due time, the statuses come from
 * the domain's transition table, and every transition appends its event in the same statement.
 */
@Injectable()
export class CompletionRepository {
  constructor(private readonly tx: TransactionContext) {}

  private async claim(sql: string, params: unknown[]): Promise<ClaimedCompletion[]> {
    const rows = returnedRows<Record<string, unknown>>(await this.tx.manager.query(sql, params));
    return rows.map((r) => ({
      dossierId: r.id as string,
      establishmentId: r.establishment_id as string,
      amountCents: r.amount_cents as number,
      completionKey: r.completion_key as string,
      authorisationNumber: (r.authorisation_number as string) ?? null,
      acquirerReference: (r.acquirer_reference as string) ?? null,
      maskedPan: (r.masked_pan as string) ?? null,
      itpAcceptanceServer: (r.itp_acceptance_server as string) ?? null,
      itpAcceptancePoint: (r.itp_acceptance_point as string) ?? null,
      attempts: r.completion_attempts as number,
    }));
  }

  /** Acknowledged dossiers whose debit date has come, still within their imprint's validity → completing. */
  claimDue(now: Date, limit: number, leaseMs: number, worker: string): Promise<ClaimedCompletion[]> {
    return this.claim(
      `WITH picked AS (
         SELECT id FROM dossier
          WHERE status = $1 AND completion_due_at <= $2 AND imprint_valid_until > $2
          ORDER BY completion_due_at LIMIT $3 FOR UPDATE SKIP LOCKED),
       moved AS (
         UPDATE dossier d SET status = $4, completion_started_at = $2, completion_lease_until = $5,
                completion_attempts = d.completion_attempts + 1, updated_at = $2, version = d.version + 1,
                completion_key = coalesce(d.completion_key, 'diapason-completion-' || d.id)
           FROM picked WHERE d.id = picked.id
         RETURNING d.*),
       journal AS (
         INSERT INTO dossier_event (dossier_id, establishment_id, type, from_status, to_status, actor_type, actor_id, details, at)
         SELECT id, establishment_id, $6, $1, $4, 'system', $7, jsonb_build_object('idempotencyKey', completion_key), $2 FROM moved)
       SELECT m.*, a.authorisation_number, a.acquirer_reference, a.masked_pan, a.itp_acceptance_server, a.itp_acceptance_point
         FROM moved m LEFT JOIN imprint_attempt a ON a.id = m.imprint_attempt_id`,
      [from('completion_started')[0], now, limit, to('completion_started'), new Date(now.getTime() + leaseMs), eventTypeFor('completion_started'), worker],
    );
  }

  /** Debits sent by a worker that did not record their outcome in time: taken over with a new lease. */
  claimExpired(now: Date, limit: number, leaseMs: number): Promise<ClaimedCompletion[]> {
    return this.claim(
      `WITH picked AS (
         SELECT id FROM dossier WHERE status = 'completing' AND completion_lease_until < $1
          ORDER BY completion_lease_until LIMIT $2 FOR UPDATE SKIP LOCKED),
       leased AS (
         UPDATE dossier d SET completion_lease_until = $3, completion_attempts = d.completion_attempts + 1
           FROM picked WHERE d.id = picked.id RETURNING d.*)
       SELECT l.*, a.authorisation_number, a.acquirer_reference, a.masked_pan, a.itp_acceptance_server, a.itp_acceptance_point
         FROM leased l LEFT JOIN imprint_attempt a ON a.id = l.imprint_attempt_id`,
      [now, limit, new Date(now.getTime() + leaseMs)],
    );
  }

  /**
   * Records the acceptance server's answers for many dossiers in one statement (one commit for a
   * whole batch). A dossier no longer in `completing` under that key is left alone: its outcome was
   * recorded already. Returns how many were recorded.
   */
  async recordOutcomes(outcomes: CompletionOutcome[], now: Date, worker: string): Promise<number> {
    if (outcomes.length === 0) return 0;
    const input = outcomes.map((o) => {
      const event: DossierEvent = o.status === 'approved' ? 'completion_approved' : 'completion_refused';
      return {
        dossier: o.dossierId,
        key: o.completionKey,
        to: to(event),
        type: eventTypeFor(event),
        ref: o.status === 'approved' ? o.transactionReference : null,
        settlement: o.status === 'approved' ? o.settlementDate : null,
        code: o.status === 'refused' ? o.reasonCode : null,
        message: o.status === 'refused' ? o.reasonMessage : null,
      };
    });
    const rows = returnedRows(
      await this.tx.manager.query(
        `WITH input AS (
           SELECT * FROM jsonb_to_recordset($1::jsonb)
             AS x(dossier uuid, key varchar, "to" varchar, type varchar, ref varchar, settlement date, code varchar, message varchar)),
         moved AS (
           UPDATE dossier d SET status = input."to", updated_at = $2, closed_at = $2, version = d.version + 1,
                  completion_lease_until = NULL,
                  completed_at = CASE WHEN input."to" = 'completed' THEN $2 ELSE d.completed_at END,
                  acquirer_transaction_reference = input.ref, settlement_date = input.settlement,
                  bank_reason_code = input.code, bank_reason_message = input.message
             FROM input WHERE d.id = input.dossier AND d.completion_key = input.key AND d.status = $3
           RETURNING d.establishment_id, input.*)
         INSERT INTO dossier_event (dossier_id, establishment_id, type, from_status, to_status, actor_type, actor_id, details, at)
         SELECT dossier, establishment_id, type, $3, "to", 'system', $4,
                jsonb_strip_nulls(jsonb_build_object('idempotencyKey', key, 'transactionReference', ref, 'settlementDate', settlement,
                                                     'reasonCode', code, 'reasonMessage', message)), $2
           FROM moved
         RETURNING dossier_id`,
        [JSON.stringify(input), now, from('completion_approved')[0], worker],
      ),
    );
    return rows.length;
  }

  /** Outcome still unknown (acceptance server unreachable): the janitor asks again after `until`. */
  async deferCompletion(dossierId: string, until: Date): Promise<void> {
    await this.tx.manager.query(`UPDATE dossier SET completion_lease_until = $2 WHERE id = $1 AND status = 'completing'`, [dossierId, until]);
  }

  /** No acknowledgment within Y after the notice: the request is abandoned. */
  async abandonUnacknowledged(now: Date, limit: number): Promise<number> {
    return this.batchClose('ack_timed_out', `status = 'payment_requested' AND ack_due_at <= $1`, 'ack_due_at', now, limit, {});
  }

  /** The imprint can no longer be completed: closed as deadline exceeded. */
  async closeExpiredImprints(now: Date, limit: number): Promise<number> {
    return this.batchClose(
      'deadline_exceeded',
      `status IN ('imprinted', 'payment_requested', 'acknowledged') AND imprint_valid_until <= $1`,
      'imprint_valid_until',
      now,
      limit,
      {},
    );
  }

  private async batchClose(event: DossierEvent, where: string, order: string, now: Date, limit: number, details: Record<string, unknown>): Promise<number> {
    const rows = returnedRows(
      await this.tx.manager.query(
        `WITH picked AS (
           SELECT id, status AS previous FROM dossier WHERE ${where}
            ORDER BY ${order} LIMIT $2 FOR UPDATE SKIP LOCKED),
         moved AS (
           UPDATE dossier d SET status = $3, updated_at = $1, closed_at = $1, version = d.version + 1
             FROM picked WHERE d.id = picked.id AND picked.previous = ANY($6)
           RETURNING d.id, d.establishment_id, picked.previous)
         INSERT INTO dossier_event (dossier_id, establishment_id, type, from_status, to_status, actor_type, details, at)
         SELECT id, establishment_id, $4, previous, $3, 'system', $5::jsonb, $1 FROM moved
         RETURNING dossier_id`,
        [now, limit, to(event), eventTypeFor(event), JSON.stringify(details), from(event)],
      ),
    );
    return rows.length;
  }

  /**
   * Dossiers whose imprint ends within `horizon` (margin + X) and that still have no payment request
   * or no acknowledgment: alerted once (event, alert row).
   */
  async raiseDeadlineAlerts(now: Date, horizon: Date, limit: number, alertIds: () => string): Promise<number> {
    const rows = returnedRows(
      await this.tx.manager.query(
        `WITH picked AS (
           SELECT id FROM dossier
            WHERE deadline_alerted_at IS NULL AND status IN ('imprinted', 'payment_requested') AND imprint_valid_until <= $2
            ORDER BY imprint_valid_until LIMIT $3 FOR UPDATE SKIP LOCKED),
         marked AS (
           UPDATE dossier d SET deadline_alerted_at = $1 FROM picked WHERE d.id = picked.id
           RETURNING d.id, d.establishment_id, d.status, d.gap_dossier_number, d.imprint_valid_until),
         journal AS (
           INSERT INTO dossier_event (dossier_id, establishment_id, type, actor_type, details, at)
           SELECT id, establishment_id, 'dossier.deadline_approaching', 'system',
                  jsonb_build_object('imprintValidUntil', imprint_valid_until, 'status', status), $1 FROM marked)
         SELECT * FROM marked`,
        [now, horizon, limit],
      ),
    );
    for (const row of rows as { id: string; establishment_id: string; status: string; gap_dossier_number: string; imprint_valid_until: Date }[]) {
      const what = row.status === 'imprinted' ? 'aucune demande de paiement n’a été reçue' : 'le patient n’a pas encore accusé réception de la notification';
      await this.tx.manager.query(
        `INSERT INTO alert (id, establishment_id, dossier_id, type, message, deadline_at, created_at)
         VALUES ($1, $2, $3, 'dossier.deadline_approaching', $4, $5, $6) ON CONFLICT (dossier_id, type) DO NOTHING`,
        [
          alertIds(),
          row.establishment_id,
          row.id,
          `Dossier GAP ${row.gap_dossier_number} : l’empreinte expire le ${row.imprint_valid_until.toISOString().slice(0, 10)} et ${what}. ` +
            'Sans action, le dossier finira en « Délais dépassés ».',
          row.imprint_valid_until,
          now,
        ],
      );
    }
    return rows.length;
  }
}
