import { createHash } from 'node:crypto';
import { CallHandler, ExecutionContext, HttpStatus, Injectable, NestInterceptor } from '@nestjs/common';
import { HTTP_CODE_METADATA } from '@nestjs/common/constants';
import { Reflector } from '@nestjs/core';
import { IdempotencyRepository, TransactionContext } from '@diapason/persistence';
import type { Response } from 'express';
import { Observable, from, lastValueFrom } from 'rxjs';
import stringify from 'safe-stable-stringify';
import type { AuthenticatedRequest } from './auth';
import { ProblemException } from './problem';

export const IDEMPOTENCY_HEADER = 'idempotency-key';
const KEY_PATTERN = /^[\x21-\x7e]{1,255}$/;

/**
 * `Idempotency-Key` on a POST: the request runs in one transaction with the record of its key, so
 * that the effect and the stored answer commit together. The same key with the same body replays
 * the first answer; with another body it is refused (422). Keys are scoped to the establishment.
 */
@Injectable()
export class IdempotencyInterceptor implements NestInterceptor {
  constructor(
    private readonly keys: IdempotencyRepository,
    private readonly tx: TransactionContext,
    private readonly reflector: Reflector,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const key = request.headers[IDEMPOTENCY_HEADER];
    if (request.method !== 'POST' || key === undefined || !request.principal) return next.handle();
    if (typeof key !== 'string' || !KEY_PATTERN.test(key)) {
      throw new ProblemException(400, 'invalid_idempotency_key', 'L’en-tête Idempotency-Key doit compter 1 à 255 caractères ASCII imprimables.');
    }
    const establishmentId = request.principal.establishmentId;
    const fingerprint = createHash('sha256')
      .update(`${request.method} ${request.path}\n${stringify(request.body ?? null)}`)
      .digest('hex');
    const status = this.reflector.get<number>(HTTP_CODE_METADATA, context.getHandler()) ?? HttpStatus.CREATED;
    const response = context.switchToHttp().getResponse<Response>();

    return from(
      this.tx.run(async () => {
        if (!(await this.keys.claim(establishmentId, key, fingerprint))) {
          const stored = await this.keys.find(establishmentId, key);
          if (!stored || stored.fingerprint !== fingerprint) {
            throw new ProblemException(
              422,
              'idempotency_key_reused',
              'Cette clé d’idempotence a déjà servi pour une autre requête (adresse ou corps différents).',
            );
          }
          response.setHeader('Idempotent-Replayed', 'true');
          return stored.body;
        }
        const body: unknown = await lastValueFrom(next.handle(), { defaultValue: null });
        await this.keys.saveResponse(establishmentId, key, status, body);
        return body;
      }),
    );
  }
}
