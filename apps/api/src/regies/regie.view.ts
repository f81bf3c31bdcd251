import { ApiProperty } from '@nestjs/swagger';
import type { RegieEntity } from '@diapason/persistence';

export class RegieView {
  @ApiProperty({ example: 'REGIE-01' }) code!: string;
  @ApiProperty({ example: 'Régie des hospitalisations' }) name!: string;
  @ApiProperty({ type: 'string', nullable: true }) phone!: string | null;
  @ApiProperty({ type: 'string', nullable: true }) email!: string | null;
  @ApiProperty({ type: 'string', nullable: true }) address!: string | null;
  @ApiProperty({ type: 'string', nullable: true }) openingHours!: string | null;
  @ApiProperty({ type: 'string', format: 'uuid', nullable: true, description: 'Compte DFT de la régie (compte bancaire de l’établissement).' })
  dftAccountId!: string | null;
}

export const toRegieView = (r: RegieEntity): RegieView => ({
  code: r.code,
  name: r.name,
  phone: r.phone,
  email: r.email,
  address: r.address,
  openingHours: r.openingHours,
  dftAccountId: r.dftAccountId,
});

export class RegieListView {
  @ApiProperty({ type: [RegieView] }) data!: RegieView[];
}
