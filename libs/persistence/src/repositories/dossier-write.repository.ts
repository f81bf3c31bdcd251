import { Injectable } from '@nestjs/common';
import { DossierStatus, InvalidTransitionError, isFinalStatus } from '@diapason/domain';
import type { DossierEvent } from '@diapason/domain';
import { DossierEntity } from '../entities';
import { returnedRows } from '../raw-result';
import { camelRows, hydrate, statusIn } from '../rows';
import { TransactionContext } from '../transaction-context';
import { PLBS_MODALITY } from './accounting.repository';
import type { Actor, DossierPatch, NewDossier } from './dossier.repository';

/** One row of the transition table, as the lifecycle hands it down: the SQL never names a status itself. */
export interface TransitionSpec {
  event: DossierEvent;
  from: readonly DossierStatus[];
  to: DossierStatus;
  type: string;
}

export interface JournalEntry {
  type: string;
  fromStatus: DossierStatus | null;
  toStatus: DossierStatus | null;
  actor: Actor;
  at: Date;
  details: Record<string, unknown>;
}

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

export interface AlertedDossier {
  id: string;
  establishmentId: string;
  status: DossierStatus;
  gapDossierNumber: string;
  imprintValidUntil: Date;
}

/** The imprint references a completion carries, joined to the claimed dossiers. */
const WITH_IMPRINT = `a.authorisation_number, a.acquirer_reference, a.masked_pan, a.itp_acceptance_server, a.itp_acceptance_point`;

/**
 * Every statement that writes a dossier's status or journal. Only `libs/lifecycle` uses it (the
 * lint configuration enforces it): the statuses come from the transition table it passes in.
 * Batch statements pick their rows with FOR UPDATE SKIP LOCKED through the partial index of their
 * due time and append every event in the same statement.
 */
@Injectable()
export class DossierWriteRepository {
  constructor(private readonly tx: TransactionContext) {}

  /**
   * Inserts the dossier and its creation event in one statement (atomic on its own: one round trip
   * when no transaction is running) and returns the dossier as written. A live dossier for the same
   * GAP number makes the insert a no-op, answered with null. `active` must be the predicate of the
   * index dossier_one_active_per_gap_number.
   */
  async insert(dossier: NewDossier, initial: DossierStatus, active: readonly DossierStatus[], actor: Actor): Promise<DossierEntity | null> {
    const manager = this.tx.manager;
    const rows: Record<string, unknown>[] = await manager.query(
      `WITH created AS (
         INSERT INTO dossier (id, establishment_id, regie_id, regie_code, gap_dossier_number, status,
                              patient_last_name, patient_first_name, patient_phone, patient_email, admission_date,
                              created_at, updated_at, version)
         VALUES ($1, $2, $3, $14, $4, $15, $5, $6, $7, $8, $9, $10, $10, 1)
         ON CONFLICT (establishment_id, gap_dossier_number) WHERE ${statusIn(active)} DO NOTHING
         RETURNING *),
       journal AS (
         INSERT INTO dossier_event (dossier_id, establishment_id, type, to_status, actor_type, actor_id, details, at)
         SELECT id, establishment_id, 'dossier.created', $15, $11, $12, $13::jsonb, created_at FROM created)
       SELECT * FROM created`,
      [
        dossier.id,
        dossier.establishmentId,
        dossier.regieId,
        dossier.gapDossierNumber,
        dossier.patientLastName,
        dossier.patientFirstName,
        dossier.patientPhone,
        dossier.patientEmail,
        dossier.admissionDate,
        dossier.createdAt,
        actor.type,
        actor.id ?? null,
        JSON.stringify({ gapDossierNumber: dossier.gapDossierNumber }),
        dossier.regieCode,
        initial,
      ],
    );
    return rows.length > 0 ? hydrate(manager, DossierEntity, rows[0]) : null;
  }

  /**
   * Writes the new status only if nobody changed it meanwhile, with the facts of that step, and
   * appends the event.
   */
  async applyTransition(
    current: DossierEntity,
    spec: TransitionSpec,
    change: { at: Date; actor: Actor; patch?: DossierPatch; details?: Record<string, unknown> },
  ): Promise<DossierEntity> {
    if (!spec.from.includes(current.status)) throw new InvalidTransitionError(current.status, spec.event);
    const patch: Partial<DossierEntity> = {
      ...change.patch,
      status: spec.to,
      updatedAt: change.at,
      ...(isFinalStatus(spec.to) ? { closedAt: change.at } : {}),
    };
    return this.tx.run(async (manager) => {
      const result = await manager
        .createQueryBuilder()
        .update(DossierEntity)
        .set(patch)
        .where('id = :id AND status = :status', { id: current.id, status: current.status })
        .execute();
      if (result.affected !== 1) {
        const actual = await manager.findOneBy(DossierEntity, { id: current.id });
        throw new InvalidTransitionError(actual?.status ?? current.status, spec.event);
      }
      const updated: DossierEntity = { ...current, ...patch, version: current.version + 1 };
      await this.append(updated, {
        type: spec.type,
        fromStatus: current.status,
        toStatus: spec.to,
        actor: change.actor,
        at: change.at,
        details: change.details ?? {},
      });
      return updated;
    });
  }

  /** Facts of a dossier that are not a status (the notice clock, the completion lease). */
  async patch(dossierId: string, patch: DossierPatch): Promise<void> {
    await this.tx.manager.update(DossierEntity, { id: dossierId }, patch);
  }

  async append(dossier: Pick<DossierEntity, 'id' | 'establishmentId'>, event: JournalEntry): Promise<void> {
    await this.tx.manager.query(
      `INSERT INTO dossier_event (dossier_id, establishment_id, type, from_status, to_status, actor_type, actor_id, details, at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8::jsonb, $9)`,
      [
        dossier.id,
        dossier.establishmentId,
        event.type,
        event.fromStatus,
        event.toStatus,
        event.actor.type,
        event.actor.id ?? null,
        JSON.stringify(event.details),
        event.at,
      ],
    );
  }

  /** The abandon clock (Y) starts with the first notice that goes out; later notices keep it. */
  async startNoticeClock(dossierId: string, sentAt: Date, ackDueAt: Date): Promise<void> {
    await this.tx.manager.query(
      `UPDATE dossier SET notice_sent_at = coalesce(notice_sent_at, $2), ack_due_at = coalesce(ack_due_at, $3) WHERE id = $1`,
      [dossierId, sentAt, ackDueAt],
    );
  }

  /**
   * `startNoticeClock` and `append` for a batch of notices sent at `sentAt`, in two statements: the
   * dossiers are locked in id order (no deadlock between two workers' batches), then each notice's
   * journal entry is inserted with its own details.
   */
  async recordNoticesSent(
    entries: { dossierId: string; establishmentId: string; type: string; actor: Actor; details: Record<string, unknown> }[],
    sentAt: Date,
    ackDueAt: Date,
  ): Promise<void> {
    if (entries.length === 0) return;
    await this.tx.manager.query(
      `WITH locked AS (SELECT id FROM dossier WHERE id = ANY($1::uuid[]) ORDER BY id FOR UPDATE)
       UPDATE dossier d SET notice_sent_at = coalesce(d.notice_sent_at, $2), ack_due_at = coalesce(d.ack_due_at, $3)
         FROM locked WHERE d.id = locked.id`,
      [[...new Set(entries.map((e) => e.dossierId))], sentAt, ackDueAt],
    );
    await this.tx.manager.query(
      `INSERT INTO dossier_event (dossier_id, establishment_id, type, from_status, to_status, actor_type, actor_id, details, at)
       SELECT x.dossier, x.establishment, x.type, NULL, NULL, x.actor_type, x.actor_id, x.details, $2
         FROM jsonb_to_recordset($1::jsonb) AS x(dossier uuid, establishment uuid, type varchar, actor_type varchar, actor_id varchar, details jsonb)`,
      [
        JSON.stringify(
          entries.map((e) => ({
            dossier: e.dossierId,
            establishment: e.establishmentId,
            type: e.type,
            actor_type: e.actor.type,
            actor_id: e.actor.id ?? null,
            details: e.details,
          })),
        ),
        sentAt,
      ],
    );
  }

  private async claimCompletions(sql: string, params: unknown[]): Promise<ClaimedCompletion[]> {
    const rows = camelRows<Record<string, unknown>>(returnedRows(await this.tx.manager.query(sql, params)));
    return rows.map((r) => ({
      dossierId: r.id as string,
      establishmentId: r.establishmentId as string,
      amountCents: r.amountCents as number,
      completionKey: r.completionKey as string,
      authorisationNumber: r.authorisationNumber as string | null,
      acquirerReference: r.acquirerReference as string | null,
      maskedPan: r.maskedPan as string | null,
      itpAcceptanceServer: r.itpAcceptanceServer as string | null,
      itpAcceptancePoint: r.itpAcceptancePoint as string | null,
      attempts: r.completionAttempts as number,
    }));
  }

  /** Dossiers whose debit date has come, still within their imprint's validity: moved to the debit's status. */
  claimDueCompletions(
    spec: TransitionSpec,
    now: Date,
    limit: number,
    leaseUntil: Date,
    worker: string,
    keyPrefix: string,
  ): Promise<ClaimedCompletion[]> {
    return this.claimCompletions(
      `WITH picked AS (
         SELECT id, status AS previous FROM dossier
          WHERE ${statusIn(spec.from)} AND completion_due_at <= $1 AND imprint_valid_until > $1
          ORDER BY completion_due_at LIMIT $2 FOR UPDATE SKIP LOCKED),
       moved AS (
         UPDATE dossier d SET status = $3, completion_started_at = $1, completion_lease_until = $4,
                completion_attempts = d.completion_attempts + 1, updated_at = $1, version = d.version + 1,
                completion_key = coalesce(d.completion_key, $7 || d.id)
           FROM picked WHERE d.id = picked.id
         RETURNING d.*, picked.previous),
       journal AS (
         INSERT INTO dossier_event (dossier_id, establishment_id, type, from_status, to_status, actor_type, actor_id, details, at)
         SELECT id, establishment_id, $5, previous, $3, 'system', $6, jsonb_build_object('idempotencyKey', completion_key), $1 FROM moved)
       SELECT m.*, ${WITH_IMPRINT} FROM moved m LEFT JOIN imprint_attempt a ON a.id = m.imprint_attempt_id`,
      [now, limit, spec.to, leaseUntil, spec.type, worker, keyPrefix],
    );
  }

  /** Debits in `status` whose worker did not record their outcome in time: taken over with a new lease. */
  claimStalledCompletions(status: DossierStatus, now: Date, limit: number, leaseUntil: Date): Promise<ClaimedCompletion[]> {
    return this.claimCompletions(
      `WITH picked AS (
         SELECT id FROM dossier WHERE ${statusIn([status])} AND completion_lease_until < $1
          ORDER BY completion_lease_until LIMIT $2 FOR UPDATE SKIP LOCKED),
       leased AS (
         UPDATE dossier d SET completion_lease_until = $3, completion_attempts = d.completion_attempts + 1
           FROM picked WHERE d.id = picked.id RETURNING d.*)
       SELECT l.*, ${WITH_IMPRINT} FROM leased l LEFT JOIN imprint_attempt a ON a.id = l.imprint_attempt_id`,
      [now, limit, leaseUntil],
    );
  }

  /** Outcome still unknown (acceptance server unreachable): asked again after `until`. */
  async deferCompletion(status: DossierStatus, dossierId: string, until: Date): Promise<void> {
    await this.tx.manager.query(`UPDATE dossier SET completion_lease_until = $2 WHERE id = $1 AND ${statusIn([status])}`, [dossierId, until]);
  }

  /**
   * Records the acceptance server's answers for many dossiers in one statement (one commit for a
   * whole batch). A dossier no longer in the debit's status under that key is left alone: its
   * outcome was recorded already. Returns how many were recorded.
   */
  async recordCompletionOutcomes(
    approved: TransitionSpec,
    refused: TransitionSpec,
    outcomes: CompletionOutcome[],
    now: Date,
    worker: string,
  ): Promise<number> {
    if (outcomes.length === 0) return 0;
    const input = outcomes.map((o) => {
      const spec = o.status === 'approved' ? approved : refused;
      return {
        dossier: o.dossierId,
        key: o.completionKey,
        to: spec.to,
        type: spec.type,
        completed: o.status === 'approved',
        ref: o.status === 'approved' ? o.transactionReference : null,
        settlement: o.status === 'approved' ? o.settlementDate : null,
        code: o.status === 'refused' ? o.reasonCode : null,
        message: o.status === 'refused' ? o.reasonMessage : null,
      };
    });
    // Both outcomes leave the one status a sent debit is in.
    const [from] = approved.from;
    if (approved.from.length !== 1 || refused.from.length !== 1 || refused.from[0] !== from)
      throw new Error('completion outcomes must leave one status');
    const rows = returnedRows(
      await this.tx.manager.query(
        `WITH input AS (
           SELECT * FROM jsonb_to_recordset($1::jsonb)
             AS x(dossier uuid, key varchar, "to" varchar, type varchar, completed boolean, ref varchar, settlement date, code varchar, message varchar)),
         moved AS (
           UPDATE dossier d SET status = input."to", updated_at = $2, closed_at = $2, version = d.version + 1,
                  completion_lease_until = NULL,
                  completed_at = CASE WHEN input.completed THEN $2 ELSE d.completed_at END,
                  acquirer_transaction_reference = input.ref, settlement_date = input.settlement,
                  bank_reason_code = input.code, bank_reason_message = input.message,
                  merchant_contract_id = coalesce(d.merchant_contract_id,
                    (SELECT a.merchant_contract_id FROM imprint_attempt a WHERE a.id = d.imprint_attempt_id),
                    (SELECT c.id FROM merchant_contract c WHERE c.establishment_id = d.establishment_id AND c.modality = $5))
             FROM input WHERE d.id = input.dossier AND d.completion_key = input.key AND ${statusIn([from], 'd.status')}
           RETURNING d.establishment_id, d.regie_id, d.regie_code, d.amount_cents, d.gap_dossier_number, d.invoice_reference,
                     d.merchant_contract_id, input.*),
         -- The encashment journal: one line per approved debit, with the contract and the account it is settled on.
         journal_lines AS (
           INSERT INTO journal_line (id, establishment_id, kind, regie_id, regie_code, merchant_contract_id, bank_account_id, amount_cents,
                                     dossier_id, gap_dossier_number, invoice_reference, transaction_reference, debited_at, settlement_date,
                                     created_at)
           SELECT gen_random_uuid(), m.establishment_id, 'plbs_completion', m.regie_id, m.regie_code, m.merchant_contract_id,
                  c.settlement_account_id, m.amount_cents, m.dossier, m.gap_dossier_number, m.invoice_reference, m.ref, $2, m.settlement, $2
             FROM moved m LEFT JOIN merchant_contract c ON c.id = m.merchant_contract_id
            WHERE m.completed
           ON CONFLICT (dossier_id, kind) DO NOTHING)
         INSERT INTO dossier_event (dossier_id, establishment_id, type, from_status, to_status, actor_type, actor_id, details, at)
         SELECT dossier, establishment_id, type, $4, "to", 'system', $3,
                jsonb_strip_nulls(jsonb_build_object('idempotencyKey', key, 'transactionReference', ref, 'settlementDate', settlement,
                                                     'reasonCode', code, 'reasonMessage', message)), $2
           FROM moved
         RETURNING dossier_id`,
        [JSON.stringify(input), now, worker, from, PLBS_MODALITY],
      ),
    );
    return rows.length;
  }

  /**
   * Moves a batch of dossiers whose `dueColumn` has passed along one transition of the table.
   * Returns how many moved.
   */
  async closeDue(spec: TransitionSpec, dueColumn: 'ack_due_at' | 'imprint_valid_until', now: Date, limit: number): Promise<number> {
    const rows = returnedRows(
      await this.tx.manager.query(
        `WITH picked AS (
           SELECT id, status AS previous FROM dossier WHERE ${statusIn(spec.from)} AND ${dueColumn} <= $1
            ORDER BY ${dueColumn} LIMIT $2 FOR UPDATE SKIP LOCKED),
         moved AS (
           UPDATE dossier d SET status = $3, updated_at = $1, closed_at = $1, version = d.version + 1
             FROM picked WHERE d.id = picked.id
           RETURNING d.id, d.establishment_id, picked.previous)
         INSERT INTO dossier_event (dossier_id, establishment_id, type, from_status, to_status, actor_type, details, at)
         SELECT id, establishment_id, $4, previous, $3, 'system', '{}'::jsonb, $1 FROM moved
         RETURNING dossier_id`,
        [now, limit, spec.to, spec.type],
      ),
    );
    return rows.length;
  }

  /**
   * Marks, once, the dossiers in `statuses` whose imprint ends before `horizon`, with their journal
   * event; returns them so that their alerts can be written.
   */
  async markDeadlineAlerts(statuses: readonly DossierStatus[], type: string, now: Date, horizon: Date, limit: number): Promise<AlertedDossier[]> {
    const rows = returnedRows(
      await this.tx.manager.query(
        `WITH picked AS (
           SELECT id FROM dossier
            WHERE deadline_alerted_at IS NULL AND ${statusIn(statuses)} AND imprint_valid_until <= $2
            ORDER BY imprint_valid_until LIMIT $3 FOR UPDATE SKIP LOCKED),
         marked AS (
           UPDATE dossier d SET deadline_alerted_at = $1 FROM picked WHERE d.id = picked.id
           RETURNING d.id, d.establishment_id, d.status, d.gap_dossier_number, d.imprint_valid_until),
         journal AS (
           INSERT INTO dossier_event (dossier_id, establishment_id, type, actor_type, details, at)
           SELECT id, establishment_id, $4, 'system', jsonb_build_object('imprintValidUntil', imprint_valid_until, 'status', status), $1 FROM marked)
         SELECT * FROM marked`,
        [now, horizon, limit, type],
      ),
    );
    return camelRows<AlertedDossier>(rows);
  }

  async insertAlerts(
    alerts: { id: string; establishmentId: string; dossierId: string; type: string; message: string; deadlineAt: Date | null; createdAt: Date }[],
  ): Promise<void> {
    if (alerts.length === 0) return;
    await this.tx.manager.query(
      `INSERT INTO alert (id, establishment_id, dossier_id, type, message, deadline_at, created_at)
       SELECT * FROM jsonb_to_recordset($1::jsonb)
         AS x(id uuid, "establishmentId" uuid, "dossierId" uuid, type varchar, message varchar, "deadlineAt" timestamptz, "createdAt" timestamptz)
       ON CONFLICT (dossier_id, type) DO NOTHING`,
      [JSON.stringify(alerts)],
    );
  }
  /**
   * RGPD: erases the personal data of up to `limit` dossiers in `finalStatuses` closed at or before
   * `now - retention` (a PostgreSQL interval), in one statement: the patient's names and contacts,
   * notice recipients and the providers' failure texts (they quote them), the card expiry month,
   * outbox errors, and the personal values of the journal (`dossier_event_redacted`, the only
   * rewrite its trigger allows). Amounts, references, statuses and dates stay. Rows are picked with
   * FOR UPDATE SKIP LOCKED, so workers running it together share the work; an erased dossier is
   * never picked again. Returns the ids erased.
   */
  async erasePersonalData(finalStatuses: readonly DossierStatus[], now: Date, retention: string, limit: number): Promise<string[]> {
    const rows = returnedRows<{ id: string }>(
      await this.tx.manager.query(
        `WITH picked AS (
           SELECT id FROM dossier
            WHERE personal_data_erased_at IS NULL AND closed_at IS NOT NULL AND ${statusIn(finalStatuses)}
              AND closed_at <= $1::timestamptz - $2::interval
            ORDER BY closed_at LIMIT $3 FOR UPDATE SKIP LOCKED),
         erased AS (
           UPDATE dossier d SET patient_last_name = '', patient_first_name = '', patient_phone = NULL, patient_email = NULL,
                  personal_data_erased_at = $1, version = d.version + 1
             FROM picked WHERE d.id = picked.id
           RETURNING d.id),
         notices AS (
           UPDATE notice n SET recipient = '', failure_reason = NULL FROM erased WHERE n.dossier_id = erased.id RETURNING n.id),
         attempts AS (
           UPDATE imprint_attempt a SET card_expiry = NULL FROM erased WHERE a.dossier_id = erased.id AND a.card_expiry IS NOT NULL RETURNING a.id),
         outbox AS (
           UPDATE outbox o SET last_error = NULL FROM erased WHERE o.dossier_id = erased.id AND o.last_error IS NOT NULL RETURNING o.id),
         journal AS (
           UPDATE dossier_event e SET details = dossier_event_redacted(e.type, e.details)
             FROM erased WHERE e.dossier_id = erased.id AND e.details IS DISTINCT FROM dossier_event_redacted(e.type, e.details)
           RETURNING e.id)
         SELECT id FROM erased`,
        [now, retention, limit],
      ),
    );
    return rows.map((r) => r.id);
  }
}
