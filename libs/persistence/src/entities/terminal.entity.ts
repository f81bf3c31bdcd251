import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/** A payment terminal of an establishment, and what was last seen of it. */
@Entity('terminal')
@Index('terminal_establishment_code_key', ['establishmentId', 'code'], { unique: true, where: 'retired_at IS NULL' })
@Index('terminal_transport_key_in_service', ['transportKey'], { unique: true, where: 'retired_at IS NULL' })
export class TerminalEntity {
  @PrimaryColumn('uuid') id!: string;
  @Column({ type: 'uuid' }) establishmentId!: string;
  /** The identifier the hospital gives the terminal, used in the API. */
  @Column({ type: 'varchar', length: 64 }) code!: string;
  @Column({ type: 'varchar', length: 200 }) label!: string;
  @Column({ type: 'varchar', length: 16 }) model!: 'ICT250' | 'iWL280';
  @Column({ type: 'uuid' }) regieId!: string;
  @Column({ type: 'varchar', length: 32 }) regieCode!: string;
  @Column({ type: 'varchar', length: 500 }) transportUrl!: string;
  /**
   * The physical terminal the link reaches (normalised address; bridge host and device for a serial
   * line): one terminal in service per key in the whole database.
   */
  @Column({ type: 'varchar', length: 600 }) transportKey!: string;
  /** Host whose bridge reaches the terminal (serial line); null: any bridge may (IP). */
  @Column({ type: 'varchar', length: 100, nullable: true }) bridgeHost!: string | null;
  @Column({ type: 'timestamptz', nullable: true }) busyUntil!: Date | null;
  @Column({ type: 'varchar', length: 64, nullable: true }) busyWith!: string | null;
  @Column({ type: 'timestamptz', nullable: true }) lastSeenAt!: Date | null;
  @Column({ type: 'integer', nullable: true }) lastLatencyMs!: number | null;
  @Column({ type: 'varchar', length: 500, nullable: true }) lastError!: string | null;
  @Column({ type: 'timestamptz', nullable: true }) lastErrorAt!: Date | null;
  /** Retired: kept for history, no longer used, its address and code free again. */
  @Column({ type: 'timestamptz', nullable: true }) retiredAt!: Date | null;
  @Column({ type: 'timestamptz' }) createdAt!: Date;
  @Column({ type: 'timestamptz' }) updatedAt!: Date;
}
