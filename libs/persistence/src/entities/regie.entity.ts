import { Column, CreateDateColumn, Entity, PrimaryColumn, Unique } from 'typeorm';

/** A régie de recettes: the public cashier office that collects the money into its DFT account. */
@Entity('regie')
@Unique('regie_establishment_code_key', ['establishmentId', 'code'])
export class RegieEntity {
  @PrimaryColumn('uuid')
  id!: string;

  @Column({ type: 'uuid' })
  establishmentId!: string;

  @Column({ type: 'varchar', length: 32 })
  code!: string;

  @Column({ type: 'varchar', length: 200 })
  name!: string;

  @Column({ type: 'varchar', length: 32, nullable: true })
  phone!: string | null;

  @Column({ type: 'varchar', length: 254, nullable: true })
  email!: string | null;

  @Column({ type: 'varchar', length: 300, nullable: true })
  address!: string | null;

  @Column({ type: 'varchar', length: 200, nullable: true })
  openingHours!: string | null;

  /** The DFT account (dépôt de fonds au Trésor) the régie deposits its receipts on. */
  @Column({ type: 'uuid', nullable: true })
  dftAccountId!: string | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;
}
