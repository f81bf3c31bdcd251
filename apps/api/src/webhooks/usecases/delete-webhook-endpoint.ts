import { Injectable } from '@nestjs/common';
import type { Clock } from '@diapason/domain';
import { InjectClock } from '@diapason/config';
import { ApiKeyPrincipal, WebhookRepository } from '@diapason/persistence';
import { uuidOrNotFound } from '../../common/identifiers';
import { webhookEndpointNotFound } from './find-webhook-endpoint';

/** Stops the subscription; what was still to be delivered to it is dropped. */
@Injectable()
export class DeleteWebhookEndpoint {
  constructor(
    private readonly webhooks: WebhookRepository,
    @InjectClock() private readonly clock: Clock,
  ) {}

  async execute(principal: ApiKeyPrincipal, id: string): Promise<string> {
    const endpointId = uuidOrNotFound(id, () => webhookEndpointNotFound(id));
    if (!(await this.webhooks.deleteEndpoint(principal.establishmentId, endpointId, this.clock.now()))) throw webhookEndpointNotFound(id);
    return id;
  }
}
