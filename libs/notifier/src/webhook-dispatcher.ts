import { createHmac } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import { Agent, request } from 'undici';
import { categoryLabel, isDossierStatus, reportingCategory, statusLabel } from '@diapason/domain';
import type { Clock } from '@diapason/domain';
import type { DiapasonConfig } from '@diapason/config';
import { InjectClock, InjectConfig } from '@diapason/config';
import { ClaimedDelivery, WebhookRepository } from '@diapason/persistence';
import { DestinationRefused, REFUSED_ATTEMPT, WebhookDestinations, isDestinationRefused } from './webhook-destinations';

export const SIGNATURE_HEADER = 'Diapason-Signature';

/** `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>" with the endpoint's secret>`, as Stripe does. */
export function signWebhook(secret: string, body: string, at: Date): string {
  const t = Math.floor(at.getTime() / 1000);
  return `t=${t},v1=${createHmac('sha256', secret).update(`${t}.${body}`).digest('hex')}`;
}

/** Backoff after the n-th failed attempt: 10 s, 20 s, 40 s… capped at 2 h. */
export function webhookBackoffMs(attempts: number): number {
  return Math.min(10_000 * 2 ** Math.max(0, attempts - 1), 2 * 3_600_000);
}

export function webhookPayload(d: ClaimedDelivery): Record<string, unknown> {
  const status = d.event.status;
  return {
    id: `evt_${d.event.id}`,
    object: 'event',
    type: d.event.type,
    createdAt: d.event.at.toISOString(),
    establishment: d.event.establishmentCode,
    data: {
      dossierId: d.event.dossierId,
      gapDossierNumber: d.event.gapDossierNumber,
      fromStatus: d.event.fromStatus,
      toStatus: d.event.toStatus,
      status,
      statusLabel: isDossierStatus(status) ? statusLabel(status) : status,
      categoryLabel: isDossierStatus(status) ? categoryLabel(reportingCategory(status)) : null,
      details: d.event.details,
    },
  };
}

/**
 * Delivers GAP webhooks, signed, retried with exponential backoff for the retry window. Never to a
 * destination `WebhookDestinations` refuses: the socket's connector checks the address it is about
 * to connect to, and such an attempt records « refusé » without any connection.
 */
@Injectable()
export class WebhookDispatcher {
  private readonly logger = new Logger(WebhookDispatcher.name);
  private readonly dispatcher: Agent;

  constructor(
    private readonly webhooks: WebhookRepository,
    private readonly destinations: WebhookDestinations,
    @InjectConfig() private readonly config: DiapasonConfig,
    @InjectClock() private readonly clock: Clock,
  ) {
    // No redirection is followed (undici's `request` does not without an interceptor), and no proxy is read from the environment.
    this.dispatcher = new Agent({ connections: 16, keepAliveTimeout: 10_000, connect: destinations.connector() });
  }

  async deliver(d: ClaimedDelivery): Promise<boolean> {
    const body = JSON.stringify(webhookPayload(d));
    const at = this.clock.now();
    const started = performance.now();
    let statusCode: number | null = null;
    let error: string | null = null;
    try {
      if (!this.destinations.policy.url(d.url).allowed) throw new DestinationRefused();
      const response = await request(d.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'user-agent': 'DIAPASON-Webhooks/1',
          [SIGNATURE_HEADER.toLowerCase()]: signWebhook(d.secret, body, at),
          'diapason-event-id': `evt_${d.event.id}`,
          'diapason-event-type': d.event.type,
        },
        body,
        dispatcher: this.dispatcher,
        signal: AbortSignal.timeout(this.config.webhooks.timeoutMs),
      });
      statusCode = response.statusCode;
      await response.body.dump();
    } catch (e) {
      if (isDestinationRefused(e)) {
        // The endpoint's id only: its URL may carry a token of the GAP's.
        this.logger.warn({ endpointId: d.endpointId, deliveryId: d.id }, 'webhook destination refused');
        error = REFUSED_ATTEMPT;
      } else {
        error = (e as Error).message;
      }
    }
    const ok = statusCode !== null && statusCode >= 200 && statusCode < 300;
    if (!ok && !error) error = `HTTP ${statusCode}`;
    const giveUpAt = d.createdAt.getTime() + this.config.webhooks.retryWindowMs;
    const nextAt = new Date(at.getTime() + webhookBackoffMs(d.attempts));
    await this.webhooks.recordAttempt(
      d.id,
      { at, statusCode, error, durationMs: performance.now() - started },
      ok ? { status: 'delivered' } : nextAt.getTime() > giveUpAt ? { status: 'failed' } : { status: 'pending', nextAttemptAt: nextAt },
    );
    return ok;
  }

  onApplicationShutdown(): Promise<void> {
    return this.dispatcher.close();
  }
}
