import { Injectable } from '@nestjs/common';
import { In } from 'typeorm';
import type { DossierStatus } from '@diapason/domain';
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
export type DossierPatch = Partial<Omit<DossierEntity, 'id' | 'establishmentId' | 'status' | 'version' | 'createdAt' | 'updatedAt'>>;

/** Reads of dossiers and their journal. Writes go through the lifecycle (`DossierWriteRepository`). */
@Injectable()
export class DossierRepository {
  constructor(private readonly tx: TransactionContext) {}

  findById(establishmentId: string, id: string): Promise<DossierEntity | null> {
    return this.tx.manager.findOneBy(DossierEntity, { establishmentId, id });
  }

  /** For callers that hold a credential naming the dossier itself (a patient link, a notice, an attempt). */
  findByIdAnywhere(id: string): Promise<DossierEntity | null> {
    return this.tx.manager.findOneBy(DossierEntity, { id });
  }

  /** Several dossiers in one query, for callers that hold credentials naming them (a batch of notices). */
  findManyByIdAnywhere(ids: string[]): Promise<DossierEntity[]> {
    if (ids.length === 0) return Promise.resolve([]);
    return this.tx.manager.findBy(DossierEntity, { id: In(ids) });
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
    const query = this.tx.manager.createQueryBuilder(DossierEntity, 'd').where('d.establishmentId = :establishmentId', { establishmentId });
    if (filter.status) query.andWhere('d.status = :status', { status: filter.status });
    if (filter.gapDossierNumber) query.andWhere('d.gapDossierNumber = :gap', { gap: filter.gapDossierNumber });
    if (filter.beforeId) query.andWhere('d.id < :beforeId', { beforeId: filter.beforeId });
    return query.orderBy('d.id', 'DESC').limit(filter.limit).getMany();
  }

  events(dossierId: string): Promise<DossierEventEntity[]> {
    return this.tx.manager.find(DossierEventEntity, { where: { dossierId }, order: { id: 'ASC' } });
  }
}
