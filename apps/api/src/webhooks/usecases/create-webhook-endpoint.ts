import { randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { v7 as uuidv7 } from 'uuid';
import type { Clock } from '@diapason/domain';
import { InjectClock } from '@diapason/config';
import { ApiKeyPrincipal, WebhookEndpointRow, WebhookRepository } from '@diapason/persistence';
import { CreateWebhookEndpointDto } from '../dto/create-webhook-endpoint.dto';

/** Subscribes a GAP address to the establishment's events; the secret is shown once. */
@Injectable()
export class CreateWebhookEndpoint {
  constructor(
    private readonly webhooks: WebhookRepository,
    @InjectClock() private readonly clock: Clock,
  ) {}

  async execute(principal: ApiKeyPrincipal, command: CreateWebhookEndpointDto): Promise<WebhookEndpointRow> {
    const row: Omit<WebhookEndpointRow, 'deletedAt'> = {
      id: uuidv7(),
      establishmentId: principal.establishmentId,
      url: command.url,
      secret: command.secret ?? `whsec_${randomBytes(24).toString('base64url')}`,
      eventTypes: command.eventTypes?.length ? command.eventTypes : ['*'],
      createdAt: this.clock.now(),
    };
    await this.webhooks.createEndpoint(row);
    return { ...row, deletedAt: null };
  }
}
