import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import type { WebhookDeliveryRow, WebhookEndpointRow } from '@diapason/persistence';

export class WebhookEndpointView {
  @ApiProperty() id!: string;
  @ApiProperty({ example: 'webhook_endpoint' }) object!: 'webhook_endpoint';
  @ApiProperty() url!: string;
  @ApiProperty({ type: [String] }) eventTypes!: string[];
  @ApiPropertyOptional({ description: 'Renvoyé à la création seulement.' }) secret?: string;
  @ApiProperty() createdAt!: Date;
}

export class WebhookEndpointListView {
  @ApiProperty({ type: [WebhookEndpointView] }) data!: WebhookEndpointView[];
}

export class WebhookEndpointDeletedView {
  @ApiProperty() id!: string;
  @ApiProperty({ enum: [true] }) deleted!: true;
}

export class WebhookAttemptView {
  @ApiProperty() at!: string;
  @ApiProperty({ type: 'integer', nullable: true }) statusCode!: number | null;
  @ApiProperty({ type: 'string', nullable: true }) error!: string | null;
  @ApiProperty({ type: 'integer' }) durationMs!: number;
}

export class WebhookDeliveryView {
  @ApiProperty() id!: string;
  @ApiProperty({ example: 'webhook_delivery' }) object!: 'webhook_delivery';
  @ApiProperty({ example: 'evt_42' }) eventId!: string;
  @ApiProperty({ example: 'dossier.completed' }) eventType!: string;
  @ApiProperty({ enum: ['pending', 'sending', 'delivered', 'failed'] }) status!: string;
  @ApiProperty({ type: [WebhookAttemptView] }) attempts!: WebhookAttemptView[];
  @ApiProperty({ type: 'string', format: 'date-time', nullable: true }) nextAttemptAt!: Date | null;
  @ApiProperty({ type: 'integer', nullable: true }) lastStatusCode!: number | null;
  @ApiProperty({ type: 'string', nullable: true }) lastError!: string | null;
  @ApiProperty() createdAt!: Date;
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
