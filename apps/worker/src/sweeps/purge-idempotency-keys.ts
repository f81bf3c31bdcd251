import { Injectable } from '@nestjs/common';
import { IdempotencyRepository } from '@diapason/persistence';
import type { Sweep } from '../sweep';

/** Stripe keeps idempotency keys 24 hours; GAP retries can span a week-end, so we keep them 7 days. */
export const IDEMPOTENCY_RETENTION_MS = 7 * 86_400_000;

@Injectable()
export class PurgeIdempotencyKeys implements Sweep {
  readonly name = 'purge-idempotency-keys';
  readonly exclusive = true;

  constructor(private readonly keys: IdempotencyRepository) {}

  run(now: Date): Promise<number> {
    return this.keys.purgeOlderThan(new Date(now.getTime() - IDEMPOTENCY_RETENTION_MS));
  }
}
