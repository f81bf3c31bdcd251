import { Controller, Get, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProperty, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { IsOptional, IsUUID } from 'class-validator';
import { DEFAULT_PAGE_SIZE, PageQuery } from '../common/page.query';
import type { ApiKeyPrincipal } from '@diapason/persistence';
import { AlertRepository } from '@diapason/persistence';
import { decodeCursor, encodeCursor } from '../common/cursor';
import { GapApi, Principal } from '../common/gap-auth';

export class ListAlertsQuery extends PageQuery {  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID()
  dossierId?: string;
}

export class AlertView {
  @ApiProperty() id!: string;
  @ApiProperty({ example: 'alert' }) object!: 'alert';
  @ApiProperty({ example: 'dossier.deadline_approaching' }) type!: string;
  @ApiProperty() dossierId!: string;
  @ApiProperty({ description: 'Message en français.' }) message!: string;
  @ApiProperty({ nullable: true, description: 'Fin de validité de l’empreinte.' }) deadlineAt!: Date | null;
  @ApiProperty() createdAt!: Date;
}

class AlertPageView {
  @ApiProperty({ type: [AlertView] }) data!: AlertView[];
  @ApiProperty({ nullable: true }) nextCursor!: string | null;
}

@ApiTags('Alertes')
@GapApi()
@Controller('v1/alerts')
export class AlertsController {
  constructor(private readonly alerts: AlertRepository) {}

  @Get()
  @ApiOperation({
    summary: 'Alertes de l’établissement, de la plus récente à la plus ancienne',
    description: '`dossier.deadline_approaching` : une empreinte expire bientôt sans demande de paiement ou sans accusé de réception.',
  })
  @ApiOkResponse({ type: AlertPageView })
  async list(@Principal() principal: ApiKeyPrincipal, @Query() query: ListAlertsQuery): Promise<AlertPageView> {
    const limit = query.limit ?? DEFAULT_PAGE_SIZE;
    const rows = await this.alerts.list(principal.establishmentId, {
      limit: limit + 1,
      beforeId: query.cursor ? decodeCursor(query.cursor) : undefined,
      dossierId: query.dossierId,
    });
    const data = rows.slice(0, limit).map((a) => ({ ...a, object: 'alert' as const }));
    return { data, nextCursor: rows.length > limit ? encodeCursor(data[data.length - 1]!.id) : null };
  }
}
