import { Injectable } from '@nestjs/common';
import { ApiKeyPrincipal, WebhookDeliveryRow, WebhookRepository } from '@diapason/persistence';
import { DEFAULT_PAGE_SIZE } from '../../common/page.query';
import { ListDeliveriesQuery } from '../dto/list-deliveries.query';
import { FindWebhookEndpoint } from './find-webhook-endpoint';

@Injectable()
export class ListWebhookDeliveries {
  constructor(
    private readonly findEndpoint: FindWebhookEndpoint,
    private readonly webhooks: WebhookRepository,
  ) {}

  async execute(principal: ApiKeyPrincipal, id: string, query: ListDeliveriesQuery): Promise<(WebhookDeliveryRow & { attemptsLog: unknown[] })[]> {
    const endpoint = await this.findEndpoint.execute(principal, id);
    return this.webhooks.deliveries(endpoint.id, query.limit ?? DEFAULT_PAGE_SIZE);
  }
}
