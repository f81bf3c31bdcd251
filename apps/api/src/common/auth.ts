import { CanActivate, ExecutionContext, Injectable, SetMetadata, applyDecorators, createParamDecorator } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ApiBearerAuth } from '@nestjs/swagger';
import { ApiKeyPrincipal, ApiKeyRepository, READ_ONLY_SCOPE, RequiredScope, scopeAllows } from '@diapason/persistence';
import { LRUCache } from 'lru-cache';
import type { Request } from 'express';
import { InvalidKeyLimiter } from './invalid-key-limiter';
import { ApiProblems } from './openapi';
import { ProblemException } from './problem';
import { REQUIRED_SCOPE, RequireScope, insufficientScope } from './scopes';

export type AuthenticatedRequest = Request & { principal?: ApiKeyPrincipal };

const PUBLIC = 'diapason:public';

/**
 * Marks a controller or route that needs no GAP key (health, the patient's page whose signed
 * token is the credential, provider callbacks that carry their own signature). Everything else
 * is private by default.
 */
export const Public = () => SetMetadata(PUBLIC, true);

const BEARER = /^Bearer\s+([A-Za-z0-9_-]{10,200})\s*$/i;

/**
 * The key of an `Authorization: Bearer <key>` header, or the 401 to answer. Shared by the guard
 * and by the middleware that refuses a private request before its body is read.
 */
export function readBearerKey(header: string | string[] | undefined): { key: string } | { problem: ProblemException } {
  const match = typeof header === 'string' ? BEARER.exec(header) : null;
  if (match) return { key: match[1] };
  return {
    problem: unauthorized(
      header === undefined
        ? 'Clé d’API manquante : envoyez l’en-tête Authorization: Bearer <clé>.'
        : 'En-tête Authorization invalide : attendu « Bearer <clé> ».',
    ),
  };
}

/**
 * Who a GAP API request is: the key of `Authorization: Bearer <key>`, looked up once. Known keys
 * are remembered for a few seconds, so a revoked key stops working within that time, and the
 * database is not asked on every request. Unknown keys are counted per client address
 * (`InvalidKeyLimiter`). Used before the body is read (the middleware of http-hardening.ts) and by
 * the guard; the first to run leaves the principal on the request.
 */
@Injectable()
export class ApiKeyAuthenticator {
  private readonly cache = new LRUCache<string, ApiKeyPrincipal>({ max: 10_000, ttl: 10_000 });

  constructor(
    private readonly apiKeys: ApiKeyRepository,
    private readonly invalidKeys: InvalidKeyLimiter,
  ) {}

  async authenticate(request: AuthenticatedRequest): Promise<ApiKeyPrincipal> {
    if (request.principal) return request.principal;
    const bearer = readBearerKey(request.headers.authorization);
    if ('problem' in bearer) throw bearer.problem;
    let principal = this.cache.get(bearer.key);
    if (!principal) {
      principal = (await this.apiKeys.findActive(bearer.key)) ?? undefined;
      if (!principal) throw (await this.invalidKeys.record(request.ip ?? 'unknown')) ?? unauthorized('Clé d’API inconnue ou révoquée.');
      this.cache.set(bearer.key, principal);
    }
    request.principal = principal;
    return principal;
  }
}

/**
 * The global guard: a known key (`ApiKeyAuthenticator`) on every route not marked `@Public()`,
 * then the key's scopes against the one the route requires (`@RequireScope`, given by `@GapApi`).
 */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  constructor(
    private readonly authenticator: ApiKeyAuthenticator,
    private readonly reflector: Reflector,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC, targets)) return true;
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const principal = await this.authenticator.authenticate(request);
    // A private route without a scope is a programming error: nobody may call it.
    const scope = this.reflector.getAllAndOverride<RequiredScope | undefined>(REQUIRED_SCOPE, targets);
    if (!scope) throw new ProblemException(403, 'insufficient_scope', 'Aucune clé d’API ne peut appeler cette opération.');
    if (!scopeAllows(principal.scopes, scope, request.method)) {
      throw insufficientScope(scope, principal.scopes.includes(READ_ONLY_SCOPE));
    }
    return true;
  }
}

function unauthorized(detail: string): ProblemException {
  return new ProblemException(401, 'unauthorized', detail, {}, { 'WWW-Authenticate': 'Bearer realm="diapason"' });
}

/** Name of the bearer security scheme of the OpenAPI document. */
export const GAP_API_KEY_SCHEME = 'gap-api-key';

/**
 * Documents a controller of the GAP API and sets the key scope its operations require: API key
 * required, scoped to its establishment, refused outside its scopes (403) or after too many
 * invalid keys from the same address (429).
 */
export const GapApi = (scope: RequiredScope) => applyDecorators(ApiBearerAuth(GAP_API_KEY_SCHEME), RequireScope(scope), ApiProblems(401, 403, 429));

/** The establishment whose key authenticated the request. */
export const Principal = createParamDecorator((_: unknown, context: ExecutionContext): ApiKeyPrincipal => {
  const principal = context.switchToHttp().getRequest<AuthenticatedRequest>().principal;
  if (!principal) throw new Error('Principal requested on a public route');
  return principal;
});
