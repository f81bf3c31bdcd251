import { randomBytes } from 'node:crypto';
import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query, UseInterceptors } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiProperty, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsInt, IsOptional, IsString, IsUrl, Matches, Max, MaxLength, Min, MinLength } from 'class-validator';
import { v7 as uuidv7 } from 'uuid';
import type { Clock } from '@diapason/domain';
import { DomainError } from '@diapason/domain';
import { InjectClock } from '@diapason/config';
import type { ApiKeyPrincipal, WebhookEndpointRow } from '@diapason/persistence';
import { WebhookRepository } from '@diapason/persistence';
import { GapApi, Principal } from '../common/gap-auth';
import { IdempotencyInterceptor } from '../common/idempotency.interceptor';

export class CreateWebhookEndpointDto {
  @ApiProperty({ example: 'https://gap.chu.example/diapason/webhooks' })
  @IsString()
  @MaxLength(500)
  @IsUrl({ protocols: ['http', 'https'], require_protocol: true, require_tld: false })
  url!: string;

  @ApiPropertyOptional({ description: 'Secret de signature (32 caractères au moins) ; généré et renvoyé une fois s’il est absent.' })
  @IsOptional()
  @IsString()
  @MinLength(32)
  @MaxLength(200)
  secret?: string;

  @ApiPropertyOptional({ example: ['dossier.completed', 'dossier.bank_rejected'], description: 'Types d’événements ; absent : tous (`*`).' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(50)
  @IsString({ each: true })
  @Matches(/^(\*|[a-z_]+\.[a-z_]+)$/, { each: true })
  eventTypes?: string[];
}

class ListDeliveriesQuery {
  @ApiPropertyOptional({ minimum: 1, maximum: 100, default: 20 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(100)
  limit?: number;
}

export class WebhookEndpointView {
  @ApiProperty() id!: string;
  @ApiProperty({ example: 'webhook_endpoint' }) object!: 'webhook_endpoint';
  @ApiProperty() url!: string;
  @ApiProperty({ type: [String] }) eventTypes!: string[];
  @ApiPropertyOptional({ description: 'Renvoyé à la création seulement.' }) secret?: string;
  @ApiProperty() createdAt!: Date;
}

const view = (e: WebhookEndpointRow, withSecret = false): WebhookEndpointView => ({
  id: e.id,
  object: 'webhook_endpoint',
  url: e.url,
  eventTypes: e.eventTypes,
  ...(withSecret ? { secret: e.secret } : {}),
  createdAt: e.createdAt,
});

/**
 * GAP webhooks: every event of the establishment's dossiers, signed with
 * `Diapason-Signature: t=<unix>,v1=<hex HMAC-SHA256("<t>.<body>", secret)>`, retried for 24 h.
 */
@ApiTags('Webhooks')
@GapApi()
@Controller('v1/webhook-endpoints')
@UseInterceptors(IdempotencyInterceptor)
export class WebhookEndpointsController {
  constructor(
    private readonly webhooks: WebhookRepository,
    @InjectClock() private readonly clock: Clock,
  ) {}

  @Post()
  @ApiOperation({ summary: 'Abonner une adresse de la GAP aux événements des dossiers' })
  @ApiCreatedResponse({ type: WebhookEndpointView })
  async create(@Principal() principal: ApiKeyPrincipal, @Body() body: CreateWebhookEndpointDto): Promise<WebhookEndpointView> {
    const row: Omit<WebhookEndpointRow, 'deletedAt'> = {
      id: uuidv7(),
      establishmentId: principal.establishmentId,
      url: body.url,
      secret: body.secret ?? `whsec_${randomBytes(24).toString('base64url')}`,
      eventTypes: body.eventTypes?.length ? body.eventTypes : ['*'],
      createdAt: this.clock.now(),
    };
    await this.webhooks.createEndpoint(row);
    return view({ ...row, deletedAt: null }, true);
  }

  @Get()
  @ApiOperation({ summary: 'Abonnements de l’établissement' })
  @ApiOkResponse({ type: [WebhookEndpointView] })
  async list(@Principal() principal: ApiKeyPrincipal): Promise<{ data: WebhookEndpointView[] }> {
    return { data: (await this.webhooks.listEndpoints(principal.establishmentId)).map((e) => view(e)) };
  }

  @Delete(':id')
  @HttpCode(200)
  @ApiOperation({ summary: 'Supprimer un abonnement (les envois en attente sont abandonnés)' })
  async remove(@Principal() principal: ApiKeyPrincipal, @Param('id') id: string): Promise<{ id: string; deleted: true }> {
    if (!/^[0-9a-f-]{36}$/.test(id) || !(await this.webhooks.deleteEndpoint(principal.establishmentId, id, this.clock.now()))) {
      throw new DomainError('not_found', 'webhook_endpoint_not_found', `Aucun abonnement ${id}.`);
    }
    return { id, deleted: true };
  }

  @Get(':id/deliveries')
  @ApiOperation({ summary: 'Envois de cet abonnement, du plus récent au plus ancien, avec chaque tentative' })
  async deliveries(@Principal() principal: ApiKeyPrincipal, @Param('id') id: string, @Query() query: ListDeliveriesQuery) {
    const endpoint = /^[0-9a-f-]{36}$/.test(id) ? await this.webhooks.findEndpoint(principal.establishmentId, id) : null;
    if (!endpoint) throw new DomainError('not_found', 'webhook_endpoint_not_found', `Aucun abonnement ${id}.`);
    const rows = await this.webhooks.deliveries(endpoint.id, query.limit ?? 20);
    return {
      data: rows.map((d) => ({
        id: d.id,
        object: 'webhook_delivery',
        eventId: `evt_${d.eventId}`,
        eventType: d.eventType,
        status: d.status,
        attempts: d.attemptsLog,
        nextAttemptAt: d.status === 'pending' ? d.nextAttemptAt : null,
        lastStatusCode: d.lastStatusCode,
        lastError: d.lastError,
        createdAt: d.createdAt,
        deliveredAt: d.deliveredAt,
      })),
    };
  }
}
