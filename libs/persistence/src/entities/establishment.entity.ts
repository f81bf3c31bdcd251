import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';

/** A hospital (établissement de santé): the tenant boundary of every query. */
@Entity('establishment')
export class EstablishmentEntity {
  @PrimaryColumn('uuid')
  id!: string;

  @Column({ type: 'varchar', length: 32, unique: true })
  code!: string;

  @Column({ type: 'varchar', length: 200 })
  name!: string;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;
}
