import { Column, Entity, PrimaryColumn } from 'typeorm';

export type ImprintAttemptStatus = 'pending' | 'running' | 'approved' | 'refused' | 'failed';

/**
 * One request for a card imprint (PLBS pre-authorisation) on a terminal. Card data is the masked
 * PAN and the expiry month only: the full number never reaches this system.
 */
@Entity('imprint_attempt')
export class ImprintAttemptEntity {
  @PrimaryColumn('uuid') id!: string;
  @Column({ type: 'uuid' }) dossierId!: string;
  @Column({ type: 'uuid' }) establishmentId!: string;
  @Column({ type: 'uuid' }) terminalId!: string;
  @Column({ type: 'integer' }) ceilingCents!: number;
  @Column({ type: 'varchar', length: 16 }) status!: ImprintAttemptStatus;
  /** Sent to the terminal and echoed back: how an answer is matched to its request. */
  @Column({ type: 'varchar', length: 10 }) reference!: string;
  @Column({ type: 'varchar', length: 64, nullable: true }) failureCode!: string | null;
  @Column({ type: 'varchar', length: 500, nullable: true }) failureMessage!: string | null;
  /** Answer recovered by asking the terminal for its last transaction after a link failure. */
  @Column({ type: 'boolean', default: false }) recovered!: boolean;
  @Column({ type: 'varchar', length: 19, nullable: true }) maskedPan!: string | null;
  @Column({ type: 'varchar', length: 4, nullable: true }) cardExpiry!: string | null;
  @Column({ type: 'varchar', length: 12, nullable: true }) authorisationNumber!: string | null;
  @Column({ type: 'varchar', length: 32, nullable: true }) acquirerReference!: string | null;
  @Column({ type: 'varchar', length: 16, nullable: true }) terminalModel!: string | null;
  @Column({ type: 'varchar', length: 15, nullable: true }) itpAcceptanceServer!: string | null;
  @Column({ type: 'varchar', length: 15, nullable: true }) itpAcceptancePoint!: string | null;
  @Column({ type: 'timestamptz' }) requestedAt!: Date;
  @Column({ type: 'timestamptz', nullable: true }) startedAt!: Date | null;
  @Column({ type: 'timestamptz', nullable: true }) endedAt!: Date | null;
  @Column({ type: 'timestamptz', nullable: true }) leaseUntil!: Date | null;
  @Column({ type: 'varchar', length: 100, nullable: true }) runner!: string | null;
  /** The merchant contract (modality `plbs_diapason`) the imprint ran under; NULL before contracts existed. */
  @Column({ type: 'uuid', nullable: true }) merchantContractId!: string | null;
}
