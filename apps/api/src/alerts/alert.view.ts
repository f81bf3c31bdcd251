import { ApiProperty } from '@nestjs/swagger';
import type { AlertRow } from '@diapason/persistence';

export class AlertView {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ enum: ['alert'] }) object!: 'alert';
  @ApiProperty({ example: 'dossier.deadline_approaching' }) type!: string;
  @ApiProperty({ format: 'uuid' }) dossierId!: string;
  @ApiProperty({ description: 'Message en français.' }) message!: string;
  @ApiProperty({ type: 'string', format: 'date-time', nullable: true, description: 'Fin de validité de l’empreinte.' }) deadlineAt!: Date | null;
  @ApiProperty({ type: 'string', format: 'date-time' }) createdAt!: Date;
}

export class AlertPageView {
  @ApiProperty({ type: [AlertView] }) data!: AlertView[];
  @ApiProperty({ type: 'string', nullable: true, description: 'À passer en `cursor` pour la page suivante ; null en fin de liste.' })
  nextCursor!: string | null;
}

export const toAlertView = (a: AlertRow): AlertView => ({ ...a, object: 'alert' });
