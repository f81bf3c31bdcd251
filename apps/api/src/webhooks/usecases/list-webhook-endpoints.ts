import { Injectable } from '@nestjs/common';
import { ApiKeyPrincipal, WebhookEndpointRow, WebhookRepository } from '@diapason/persistence';

@Injectable()
export class ListWebhookEndpoints {
  constructor(private readonly webhooks: WebhookRepository) {}

  execute(principal: ApiKeyPrincipal): Promise<WebhookEndpointRow[]> {
    return this.webhooks.listEndpoints(principal.establishmentId);
  }
}
