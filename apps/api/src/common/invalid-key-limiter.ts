import { Injectable } from '@nestjs/common';
import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import type { DiapasonConfig } from '@diapason/config';
import { InjectConfig } from '@diapason/config';
import { ProblemException } from './problem';

/**
 * Counts unknown or revoked API keys per client address (`request.ip`: the socket's address, or
 * the one `DIAPASON_TRUST_PROXY` lets Express read from X-Forwarded-For). Past
 * `DIAPASON_INVALID_KEY_LIMIT` attempts in `DIAPASON_INVALID_KEY_WINDOW`, an invalid key is answered
 * 429 with Retry-After until the window ends. Only invalid attempts count and only they are
 * refused: a valid key keeps working from that address (a hospital's GAP and an attacker may
 * share one NAT address). The counters live in this process's memory: with several api
 * replicas, each counts for itself.
 */
@Injectable()
export class InvalidKeyLimiter {
  private readonly limiter: RateLimiterMemory;

  constructor(@InjectConfig() config: DiapasonConfig) {
    this.limiter = new RateLimiterMemory({
      keyPrefix: 'invalid-api-key',
      points: config.apiKeys.invalidKeyLimit,
      duration: Math.max(1, Math.ceil(config.apiKeys.invalidKeyWindowMs / 1000)),
    });
  }

  /** Records an invalid key from `address`; the 429 problem to answer instead of 401 once over the limit. */
  async record(address: string): Promise<ProblemException | undefined> {
    try {
      await this.limiter.consume(address);
      return undefined;
    } catch (rejection) {
      if (!(rejection instanceof RateLimiterRes)) throw rejection;
      const seconds = Math.max(1, Math.ceil(rejection.msBeforeNext / 1000));
      return new ProblemException(
        429,
        'too_many_invalid_keys',
        `Trop de clés d’API invalides depuis cette adresse : réessayez dans ${seconds} s. Les clés valides restent acceptées.`,
        {},
        { 'Retry-After': String(seconds) },
      );
    }
  }
}
