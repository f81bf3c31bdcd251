import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';

/** First answer given to a POST carrying an `Idempotency-Key`, replayed for the same key and body. */
@Entity('idempotency_key')
export class IdempotencyKeyEntity {
  @PrimaryColumn({ type: 'uuid' })
  establishmentId!: string;

  @PrimaryColumn({ type: 'varchar', length: 255 })
  key!: string;

  /** SHA-256 of method, path and canonical body. */
  @Column({ type: 'char', length: 64 })
  fingerprint!: string;

  @Column({ type: 'integer', nullable: true })
  responseStatus!: number | null;

  /** `json`, not `jsonb`: a replay gives back the first answer byte for byte, keys in order. */
  @Column({ type: 'json', nullable: true })
  responseBody!: unknown;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;
}
