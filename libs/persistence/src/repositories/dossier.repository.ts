import { Injectable } from '@nestjs/common';
import {
  ACTIVE_STATUSES,
  DomainError,
  DossierEvent,
  DossierStatus,
  InvalidTransitionError,
  eventTypeFor,
  isFinalStatus,
  nextStatus,
} from '@diapason/domain';
import { ActorType, DossierEntity, DossierEventEntity } from '../entities';
import { TransactionContext } from '../transaction-context';

export interface Actor {
  type: ActorType;
  id?: string | null;
}

export type NewDossier = Pick<
  DossierEntity,
  | 'id'
  | 'establishmentId'
  | 'regieId'
  | 'regieCode'
  | 'gapDossierNumber'
  | 'patientLastName'
  | 'patientFirstName'
  | 'patientPhone'
  | 'patientEmail'
  | 'admissionDate'
  | 'createdAt'
>;

export interface DossierFilter {
  status?: DossierStatus;
  gapDossierNumber?: string;
  /** Return dossiers created before this one (exclusive); ids are time-ordered. */
  beforeId?: string;
  limit: number;
}

/** What a transition changes besides the status: the timestamps and facts of that step. */
export type DossierPatch = Partial<
  Omit<DossierEntity, 'id' | 'establishmentId' | 'status' | 'version' | 'createdAt' | 'updatedAt'>
>;

export interface TransitionChange {
  at: Date;
  actor: Actor;
  patch?: DossierPatch;
  details?: Record<string, unknown>;
}

/** Must stay identical to the predicate of the index dossier_one_active_per_gap_number. */
const ACTIVE_PREDICATE = ACTIVE_STATUSES.map((s) => `'${s}'`).join(', ').replace(/^/, 'status IN (') + ')';

@Injectable()
export class DossierRepository {
  constructor(private readonly tx: TransactionContext) {}

  /**
   * Inserts the dossier and its creation event in one statement. A live dossier for the same GAP
   * number makes the insert a no-op, reported as a conflict naming the existing dossier.
   */
  async create(dossier: NewDossier, actor: Actor): Promise<DossierEntity> {
    const rows: unknown[] = await this.tx.manager.query(
      `WITH created AS (
         INSERT INTO dossier (id, establishment_id, regie_id, regie_code, gap_dossier_number, status,
                              patient_last_name, patient_first_name, patient_phone, patient_email, admission_date,
                              created_at, updated_at, version)
         VALUES ($1, $2, $3, $14, $4, 'awaiting_imprint', $5, $6, $7, $8, $9, $10, $10, 1)
         ON CONFLICT (establishment_id, gap_dossier_number) WHERE ${ACTIVE_PREDICATE} DO NOTHING
         RETURNING id, establishment_id, created_at)
       INSERT INTO dossier_event (dossier_id, establishment_id, type, to_status, actor_type, actor_id, details, at)
       SELECT id, establishment_id, 'dossier.created', 'awaiting_imprint', $11, $12, $13::jsonb, created_at
         FROM created
       RETURNING dossier_id`,
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
      ],
    );
    if (rows.length === 0) {
      const existing = await this.findActiveByGapNumber(dossier.establishmentId, dossier.gapDossierNumber);
      throw new DomainError(
        'conflict',
        'duplicate_active_dossier',
        `Un dossier DIAPASON est déjà en cours pour le dossier GAP ${dossier.gapDossierNumber}.`,
        { existingDossierId: existing?.id ?? null },
      );
    }
    return {
      ...dossier,
      status: 'awaiting_imprint',
      ceilingCents: null,
      imprintedAt: null,
      imprintAttemptId: null,
      imprintValidUntil: null,
      amountCents: null,
      invoiceReference: null,
      paymentRequestedAt: null,
      paymentRequestLate: false,
      noticeSentAt: null,
      ackDueAt: null,
      acknowledgedAt: null,
      completionDueAt: null,
      completionStartedAt: null,
      completedAt: null,
      completionKey: null,
      completionLeaseUntil: null,
      completionAttempts: 0,
      acquirerTransactionReference: null,
      settlementDate: null,
      bankReasonCode: null,
      bankReasonMessage: null,
      deadlineAlertedAt: null,
      cancelledAt: null,
      cancelReason: null,
      closedAt: null,
      updatedAt: dossier.createdAt,
      version: 1,
    };
  }

  findById(establishmentId: string, id: string): Promise<DossierEntity | null> {
    return this.tx.manager.findOneBy(DossierEntity, { establishmentId, id });
  }

  /** Reads and locks the dossier until the end of the current transaction. */
  findByIdForUpdate(establishmentId: string, id: string): Promise<DossierEntity | null> {
    return this.tx.manager
      .createQueryBuilder(DossierEntity, 'd')
      .where('d.id = :id AND d.establishmentId = :establishmentId', { id, establishmentId })
      .setLock('pessimistic_write')
      .getOne();
  }

  findActiveByGapNumber(establishmentId: string, gapDossierNumber: string): Promise<DossierEntity | null> {
    return this.tx.manager
      .createQueryBuilder(DossierEntity, 'd')
      .where('d.establishmentId = :establishmentId AND d.gapDossierNumber = :gapDossierNumber', {
        establishmentId,
        gapDossierNumber,
      })
      .andWhere('d.closedAt IS NULL')
      .getOne();
  }

  list(establishmentId: string, filter: DossierFilter): Promise<DossierEntity[]> {
    const query = this.tx.manager
      .createQueryBuilder(DossierEntity, 'd')
      .where('d.establishmentId = :establishmentId', { establishmentId });
    if (filter.status) query.andWhere('d.status = :status', { status: filter.status });
    if (filter.gapDossierNumber) query.andWhere('d.gapDossierNumber = :gap', { gap: filter.gapDossierNumber });
    if (filter.beforeId) query.andWhere('d.id < :beforeId', { beforeId: filter.beforeId });
    return query.orderBy('d.id', 'DESC').limit(filter.limit).getMany();
  }

  events(dossierId: string): Promise<DossierEventEntity[]> {
    return this.tx.manager.find(DossierEventEntity, { where: { dossierId }, order: { id: 'ASC' } });
  }

  /**
   * Applies one transition of the table to a dossier read in this transaction: checks it against the
   * state machine, writes the new status only if nobody changed it meanwhile, and appends the event.
   */
  async transition(current: DossierEntity, event: DossierEvent, change: TransitionChange): Promise<DossierEntity> {
    const to = nextStatus(current.status, event);
    const patch: Partial<DossierEntity> = {
      ...change.patch,
      status: to,
      updatedAt: change.at,
      ...(isFinalStatus(to) ? { closedAt: change.at } : {}),
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
        throw new InvalidTransitionError(actual?.status ?? current.status, event);
      }
      const updated: DossierEntity = { ...current, ...patch, version: current.version + 1 };
      await this.appendEvent(updated, {
        type: eventTypeFor(event),
        fromStatus: current.status,
        toStatus: to,
        actor: change.actor,
        at: change.at,
        details: change.details ?? {},
      });
      return updated;
    });
  }

  /** Records a fact about the dossier that does not change its status (attempt, notice, alert…). */
  async recordEvent(
    dossier: Pick<DossierEntity, 'id' | 'establishmentId' | 'status'>,
    type: string,
    change: Omit<TransitionChange, 'patch'>,
  ): Promise<void> {
    await this.appendEvent(dossier, {
      type,
      fromStatus: null,
      toStatus: null,
      actor: change.actor,
      at: change.at,
      details: change.details ?? {},
    });
  }

  private async appendEvent(
    dossier: Pick<DossierEntity, 'id' | 'establishmentId'>,
    event: {
      type: string;
      fromStatus: DossierStatus | null;
      toStatus: DossierStatus | null;
      actor: Actor;
      at: Date;
      details: Record<string, unknown>;
    },
  ): Promise<void> {
    await this.tx.manager.query(
      `INSERT INTO dossier_event (dossier_id, establishment_id, type, from_status, to_status, actor_type, actor_id,
                                  details, at)
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
}
