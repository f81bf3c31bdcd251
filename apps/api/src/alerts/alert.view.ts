import { ApiProperty } from '@nestjs/swagger';
import type { AlertRow } from '@diapason/persistence';

export class AlertView {
  @ApiProperty() id!: string;
  @ApiProperty({ example: 'alert' }) object!: 'alert';
  @ApiProperty({ example: 'dossier.deadline_approaching' }) type!: string;
  @ApiProperty() dossierId!: string;
  @ApiProperty({ description: 'Message en français.' }) message!: string;
  @ApiProperty({ type: 'string', format: 'date-time', nullable: true, description: 'Fin de validité de l’empreinte.' }) deadlineAt!: Date | null;
  @ApiProperty() createdAt!: Date;
}

export class AlertPageView {
  @ApiProperty({ type: [AlertView] }) data!: AlertView[];
  @ApiProperty({ type: 'string', nullable: true }) nextCursor!: string | null;
}

export const toAlertView = (a: AlertRow): AlertView => ({ ...a, object: 'alert' });
