import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import type { WebhookDeliveryRow, WebhookEndpointRow } from '@diapason/persistence';

export class WebhookEndpointView {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ enum: ['webhook_endpoint'] }) object!: 'webhook_endpoint';
  @ApiProperty({ example: 'https://gap.chu.example/diapason/webhooks', description: 'Adresse normalisée.' }) url!: string;
  @ApiProperty({ type: [String], example: ['*'], description: 'Types d’événements envoyés (voir `webhooks`) ; `*` : tous.' }) eventTypes!: string[];
  @ApiPropertyOptional({ description: 'Secret de signature, renvoyé à la création seulement.' }) secret?: string;
  @ApiProperty({ type: 'string', format: 'date-time' }) createdAt!: Date;
}

export class WebhookEndpointListView {
  @ApiProperty({ type: [WebhookEndpointView] }) data!: WebhookEndpointView[];
}

export class WebhookEndpointDeletedView {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ type: 'boolean', enum: [true] }) deleted!: true;
}

export class WebhookAttemptView {
  @ApiProperty({ type: 'string', format: 'date-time' }) at!: string;
  @ApiProperty({ type: 'integer', nullable: true }) statusCode!: number | null;
  @ApiProperty({
    type: 'string',
    nullable: true,
    description: 'Erreur de la tentative ; « refusé » : destination refusée par la politique des webhooks, aucune connexion faite.',
  })
  error!: string | null;
  @ApiProperty({ type: 'integer', description: 'Durée de la tentative en millisecondes.' }) durationMs!: number;
}

export class WebhookDeliveryView {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ enum: ['webhook_delivery'] }) object!: 'webhook_delivery';
  @ApiProperty({ example: 'evt_42', description: 'Identifiant de l’événement (en-tête Diapason-Event-Id et membre `id` du corps envoyé).' })
  eventId!: string;
  @ApiProperty({ example: 'dossier.completed' }) eventType!: string;
  @ApiProperty({ enum: ['pending', 'sending', 'delivered', 'failed'] }) status!: string;
  @ApiProperty({ type: [WebhookAttemptView] }) attempts!: WebhookAttemptView[];
  @ApiProperty({ type: 'string', format: 'date-time', nullable: true }) nextAttemptAt!: Date | null;
  @ApiProperty({ type: 'integer', nullable: true }) lastStatusCode!: number | null;
  @ApiProperty({ type: 'string', nullable: true, description: 'Erreur de la dernière tentative (« refusé » : destination refusée).' })
  lastError!: string | null;
  @ApiProperty({ type: 'string', format: 'date-time' }) createdAt!: Date;
  @ApiProperty({ type: 'string', format: 'date-time', nullable: true }) deliveredAt!: Date | null;
}

export class WebhookDeliveryListView {
  @ApiProperty({ type: [WebhookDeliveryView] }) data!: WebhookDeliveryView[];
}

export const toWebhookEndpointView = (e: WebhookEndpointRow, withSecret = false): WebhookEndpointView => ({
  id: e.id,
  object: 'webhook_endpoint',
  url: e.url,
  eventTypes: e.eventTypes,
  ...(withSecret ? { secret: e.secret } : {}),
  createdAt: e.createdAt,
});

export const toWebhookDeliveryView = (d: WebhookDeliveryRow & { attemptsLog: unknown[] }): WebhookDeliveryView => ({
  id: d.id,
  object: 'webhook_delivery',
  eventId: `evt_${d.eventId}`,
  eventType: d.eventType ?? '',
  status: d.status,
  attempts: d.attemptsLog as WebhookAttemptView[],
  nextAttemptAt: d.status === 'pending' ? d.nextAttemptAt : null,
  lastStatusCode: d.lastStatusCode,
  lastError: d.lastError,
  createdAt: d.createdAt,
  deliveredAt: d.deliveredAt,
});
