import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

export type ActorType = 'gap' | 'cashier' | 'patient' | 'system' | 'provider' | 'operator';

/** Append-only journal of a dossier: its creation and every transition, with who did it and why. */
@Entity('dossier_event')
export class DossierEventEntity {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id!: string;

  @Column({ type: 'uuid' })
  dossierId!: string;

  @Column({ type: 'uuid' })
  establishmentId!: string;

  @Column({ type: 'varchar', length: 64 })
  type!: string;

  @Column({ type: 'varchar', length: 32, nullable: true })
  fromStatus!: string | null;

  @Column({ type: 'varchar', length: 32, nullable: true })
  toStatus!: string | null;

  @Column({ type: 'varchar', length: 16 })
  actorType!: ActorType;

  @Column({ type: 'varchar', length: 100, nullable: true })
  actorId!: string | null;

  @Column({ type: 'jsonb', default: {} })
  details!: Record<string, unknown>;

  @Column({ type: 'timestamptz' })
  at!: Date;
}
