import { randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { v7 as uuidv7 } from 'uuid';
import type { Clock } from '@diapason/domain';
import { DomainError } from '@diapason/domain';
import { InjectClock } from '@diapason/config';
import { WebhookDestinations } from '@diapason/notifier';
import { ApiKeyPrincipal, WebhookEndpointRow, WebhookRepository } from '@diapason/persistence';
import { ProblemException } from '../../common/problem';
import { CreateWebhookEndpointDto, MAX_WEBHOOK_URL_LENGTH } from '../dto/create-webhook-endpoint.dto';

/** Live endpoints an establishment may have at once. */
export const MAX_WEBHOOK_ENDPOINTS = 20;

/**
 * Subscribes a GAP address to the establishment's events; the secret is shown once. The address
 * must pass the destination policy now (the worker checks it again at each connection).
 */
@Injectable()
export class CreateWebhookEndpoint {
  constructor(
    private readonly webhooks: WebhookRepository,
    private readonly destinations: WebhookDestinations,
    @InjectClock() private readonly clock: Clock,
  ) {}

  async execute(principal: ApiKeyPrincipal, command: CreateWebhookEndpointDto): Promise<WebhookEndpointRow> {
    const destination = await this.destinations.vet(command.url);
    if (!destination.allowed) {
      throw new DomainError('invalid', 'webhook_destination_refused', `Adresse de webhook refusée : ${destination.reason}.`, {
        errors: [{ field: 'url', message: destination.reason }],
      });
    }
    if (destination.url.href.length > MAX_WEBHOOK_URL_LENGTH) {
      // Percent-encoding and punycode lengthen a URL: the stored form must fit too.
      throw new ProblemException(
        400,
        'validation_failed',
        `Le champ url est invalide : doit compter au plus ${MAX_WEBHOOK_URL_LENGTH} caractères une fois normalisé.`,
        {
          errors: [{ field: 'url', message: `doit compter au plus ${MAX_WEBHOOK_URL_LENGTH} caractères une fois normalisé` }],
        },
      );
    }
    const row: Omit<WebhookEndpointRow, 'deletedAt'> = {
      id: uuidv7(),
      establishmentId: principal.establishmentId,
      // What was checked is what the worker reads: the URL as the WHATWG parser normalised it.
      url: destination.url.href,
      secret: command.secret ?? `whsec_${randomBytes(24).toString('base64url')}`,
      eventTypes: command.eventTypes?.length ? command.eventTypes : ['*'],
      createdAt: this.clock.now(),
    };
    if (!(await this.webhooks.createEndpointWithin(row, MAX_WEBHOOK_ENDPOINTS))) {
      throw new DomainError(
        'conflict',
        'webhook_endpoint_limit_reached',
        `L’établissement a déjà ${MAX_WEBHOOK_ENDPOINTS} abonnements : supprimez-en un avant d’en ajouter un autre.`,
        { limit: MAX_WEBHOOK_ENDPOINTS },
      );
    }
    return { ...row, deletedAt: null };
  }
}
