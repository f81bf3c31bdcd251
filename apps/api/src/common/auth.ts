import { CanActivate, ExecutionContext, Injectable, SetMetadata, applyDecorators, createParamDecorator } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ApiBearerAuth } from '@nestjs/swagger';
import { ApiKeyPrincipal, ApiKeyRepository } from '@diapason/persistence';
import { LRUCache } from 'lru-cache';
import type { Request } from 'express';
import { ApiProblems } from './openapi';
import { ProblemException } from './problem';

export type AuthenticatedRequest = Request & { principal?: ApiKeyPrincipal };

const PUBLIC = 'diapason:public';

/**
 * Marks a controller or route that needs no GAP key (health, the patient's page whose signed
 * token is the credential, provider callbacks that carry their own signature). Everything else
 * is private by default.
 */
export const Public = () => SetMetadata(PUBLIC, true);

/**
 * The global guard: `Authorization: Bearer <key>` on every route not marked `@Public()`. Known
 * keys are remembered for a few seconds, so a revoked key stops working within that time, and the
 * database is not asked on every request.
 */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  private readonly cache = new LRUCache<string, ApiKeyPrincipal>({ max: 10_000, ttl: 10_000 });

  constructor(
    private readonly apiKeys: ApiKeyRepository,
    private readonly reflector: Reflector,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC, [context.getHandler(), context.getClass()])) return true;
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const header = request.headers.authorization;
    const match = typeof header === 'string' ? /^Bearer\s+([A-Za-z0-9_-]{10,200})\s*$/i.exec(header) : null;
    if (!match) {
      throw unauthorized(
        header === undefined
          ? 'Clé d’API manquante : envoyez l’en-tête Authorization: Bearer <clé>.'
          : 'En-tête Authorization invalide : attendu « Bearer <clé> ».',
      );
    }
    const key = match[1];
    let principal = this.cache.get(key);
    if (!principal) {
      principal = (await this.apiKeys.findActive(key)) ?? undefined;
      if (!principal) throw unauthorized('Clé d’API inconnue ou révoquée.');
      this.cache.set(key, principal);
    }
    request.principal = principal;
    return true;
  }
}

function unauthorized(detail: string): ProblemException {
  return new ProblemException(401, 'unauthorized', detail, {}, { 'WWW-Authenticate': 'Bearer realm="diapason"' });
}

/** Name of the bearer security scheme of the OpenAPI document. */
export const GAP_API_KEY_SCHEME = 'gap-api-key';

/** Documents a controller of the GAP API: API key required, scoped to its establishment. */
export const GapApi = () => applyDecorators(ApiBearerAuth(GAP_API_KEY_SCHEME), ApiProblems(401));

/** The establishment whose key authenticated the request. */
export const Principal = createParamDecorator((_: unknown, context: ExecutionContext): ApiKeyPrincipal => {
  const principal = context.switchToHttp().getRequest<AuthenticatedRequest>().principal;
  if (!principal) throw new Error('Principal requested on a public route');
  return principal;
});
