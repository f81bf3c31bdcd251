import { Injectable } from '@nestjs/common';
import { DomainError } from '@diapason/domain';
import { ApiKeyPrincipal, WebhookEndpointRow, WebhookRepository } from '@diapason/persistence';
import { uuidOrNotFound } from '../../common/identifiers';

export function webhookEndpointNotFound(id: string): DomainError {
  return new DomainError('not_found', 'webhook_endpoint_not_found', `Aucun abonnement ${id}.`);
}

@Injectable()
export class FindWebhookEndpoint {
  constructor(private readonly webhooks: WebhookRepository) {}

  async execute(principal: ApiKeyPrincipal, id: string): Promise<WebhookEndpointRow> {
    const endpoint = await this.webhooks.findEndpoint(
      principal.establishmentId,
      uuidOrNotFound(id, () => webhookEndpointNotFound(id)),
    );
    if (!endpoint) throw webhookEndpointNotFound(id);
    return endpoint;
  }
}
