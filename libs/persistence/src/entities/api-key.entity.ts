import { Column, CreateDateColumn, Entity, Index, PrimaryColumn } from 'typeorm';

/** A GAP API key. Only its SHA-256 is stored; the key itself is shown once, at creation. */
@Entity('api_key')
export class ApiKeyEntity {
  @PrimaryColumn('uuid')
  id!: string;

  @Index()
  @Column({ type: 'uuid' })
  establishmentId!: string;

  @Column({ type: 'char', length: 64, unique: true })
  keyHash!: string;

  /** The first characters of the key, to tell keys apart in listings. */
  @Column({ type: 'varchar', length: 16 })
  keyPrefix!: string;

  @Column({ type: 'varchar', length: 100, nullable: true })
  label!: string | null;

  /** What the key may do (`API_KEY_SCOPES`): at least one, each once. */
  @Column({ type: 'text', array: true })
  scopes!: string[];

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;

  @Column({ type: 'timestamptz', nullable: true })
  revokedAt!: Date | null;
}
