import type { DossierStatus } from '@diapason/domain';
import { Column, Entity, PrimaryColumn, VersionColumn } from 'typeorm';

/**
 * One DIAPASON dossier: a hospital stay whose patient share is paid by a deferred card debit.
 * Due-time columns (`ackDueAt`, `completionDueAt`, `imprintValidUntil`…) are what the scheduler
 * looks up through partial indexes; they are set by the transitions that start each clock.
 */
@Entity('dossier')
export class DossierEntity {
  @PrimaryColumn('uuid')
  id!: string;

  @Column({ type: 'uuid' })
  establishmentId!: string;

  @Column({ type: 'uuid' })
  regieId!: string;

  /** Copied from the régie, whose code never changes, to spare a join on every read. */
  @Column({ type: 'varchar', length: 32 })
  regieCode!: string;

  @Column({ type: 'varchar', length: 64 })
  gapDossierNumber!: string;

  @Column({ type: 'varchar', length: 32 })
  status!: DossierStatus;

  @Column({ type: 'varchar', length: 100 })
  patientLastName!: string;

  @Column({ type: 'varchar', length: 100 })
  patientFirstName!: string;

  @Column({ type: 'varchar', length: 16, nullable: true })
  patientPhone!: string | null;

  @Column({ type: 'varchar', length: 254, nullable: true })
  patientEmail!: string | null;

  @Column({ type: 'date', nullable: true })
  admissionDate!: string | null;

  @Column({ type: 'integer', nullable: true })
  ceilingCents!: number | null;

  @Column({ type: 'timestamptz', nullable: true })
  imprintedAt!: Date | null;

  /** The approved imprint attempt (terminal, masked card, authorisation). */
  @Column({ type: 'uuid', nullable: true })
  imprintAttemptId!: string | null;

  @Column({ type: 'timestamptz', nullable: true })
  imprintValidUntil!: Date | null;

  @Column({ type: 'integer', nullable: true })
  amountCents!: number | null;

  @Column({ type: 'varchar', length: 64, nullable: true })
  invoiceReference!: string | null;

  @Column({ type: 'timestamptz', nullable: true })
  paymentRequestedAt!: Date | null;

  @Column({ type: 'boolean', default: false })
  paymentRequestLate!: boolean;

  @Column({ type: 'timestamptz', nullable: true })
  noticeSentAt!: Date | null;

  @Column({ type: 'timestamptz', nullable: true })
  ackDueAt!: Date | null;

  @Column({ type: 'timestamptz', nullable: true })
  acknowledgedAt!: Date | null;

  @Column({ type: 'timestamptz', nullable: true })
  completionDueAt!: Date | null;

  @Column({ type: 'timestamptz', nullable: true })
  completionStartedAt!: Date | null;

  @Column({ type: 'timestamptz', nullable: true })
  completedAt!: Date | null;

  /** Idempotency key of the debit sent to the acceptance server: one per dossier, ever. */
  @Column({ type: 'varchar', length: 80, nullable: true })
  completionKey!: string | null;

  /** The merchant contract the debit ran under (its imprint's, or the PLBS contract at debit time). */
  @Column({ type: 'uuid', nullable: true })
  merchantContractId!: string | null;

  /** A worker holds the debit until then; past it, the janitor asks the acceptance server. */
  @Column({ type: 'timestamptz', nullable: true })
  completionLeaseUntil!: Date | null;

  @Column({ type: 'integer', default: 0 })
  completionAttempts!: number;

  @Column({ type: 'varchar', length: 64, nullable: true })
  acquirerTransactionReference!: string | null;

  @Column({ type: 'date', nullable: true })
  settlementDate!: string | null;

  @Column({ type: 'varchar', length: 8, nullable: true })
  bankReasonCode!: string | null;

  @Column({ type: 'varchar', length: 300, nullable: true })
  bankReasonMessage!: string | null;

  @Column({ type: 'timestamptz', nullable: true })
  deadlineAlertedAt!: Date | null;

  @Column({ type: 'timestamptz', nullable: true })
  cancelledAt!: Date | null;

  @Column({ type: 'varchar', length: 200, nullable: true })
  cancelReason!: string | null;

  @Column({ type: 'timestamptz', nullable: true })
  closedAt!: Date | null;

  /** RGPD: when the patient's name, contacts and notice recipients were erased (retention sweep). */
  @Column({ type: 'timestamptz', nullable: true })
  personalDataErasedAt!: Date | null;

  @Column({ type: 'timestamptz' })
  createdAt!: Date;

  @Column({ type: 'timestamptz' })
  updatedAt!: Date;

  @VersionColumn()
  version!: number;
}
