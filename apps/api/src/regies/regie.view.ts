import { ApiProperty } from '@nestjs/swagger';
import type { RegieEntity } from '@diapason/persistence';

export class RegieView {
  @ApiProperty() code!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ nullable: true }) phone!: string | null;
  @ApiProperty({ nullable: true }) email!: string | null;
  @ApiProperty({ nullable: true }) address!: string | null;
  @ApiProperty({ nullable: true }) openingHours!: string | null;
}

export const toRegieView = (r: RegieEntity): RegieView => ({
  code: r.code,
  name: r.name,
  phone: r.phone,
  email: r.email,
  address: r.address,
  openingHours: r.openingHours,
});

export class RegieListView {
  @ApiProperty({ type: [RegieView] }) data!: RegieView[];
}
