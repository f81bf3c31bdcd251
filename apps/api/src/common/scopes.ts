import { SetMetadata, applyDecorators } from '@nestjs/common';
import { ApiExtension } from '@nestjs/swagger';
import type { OpenAPIObject, OperationObject } from '@nestjs/swagger';
import { API_KEY_SCOPES, API_KEY_SCOPE_LABELS, READ_ONLY_SCOPE, RequiredScope, isReadMethod } from '@diapason/persistence';
import { ProblemException } from './problem';

export const REQUIRED_SCOPE = 'diapason:required-scope';

/** OpenAPI extension naming the scope an operation requires (`read_only` also opens its reads). */
export const SCOPE_EXTENSION = 'x-diapason-scope';

/**
 * The key scope a controller (or one route) requires; `ApiKeyGuard` checks it after the key. A
 * GET or HEAD is also open to `read_only` keys. Documented in OpenAPI as `x-diapason-scope`.
 */
export const RequireScope = (scope: RequiredScope) => applyDecorators(SetMetadata(REQUIRED_SCOPE, scope), ApiExtension(SCOPE_EXTENSION, scope));

/** 403 for a known key whose scopes do not grant the operation; the `scope` member names the one required. */
export function insufficientScope(scope: RequiredScope, readOnlyKey: boolean): ProblemException {
  const detail =
    `Cette clé d’API n’a pas la portée « ${scope} » requise.` +
    (readOnlyKey ? ` La portée « ${READ_ONLY_SCOPE} » ne permet que les lectures (GET).` : '');
  return new ProblemException(
    403,
    'insufficient_scope',
    detail,
    { scope },
    // RFC 6750 §3.1: the scope needed, for a client that reads the challenge.
    { 'WWW-Authenticate': `Bearer realm="diapason", error="insufficient_scope", scope="${scope}"` },
  );
}

/** The scopes, for the description of the whole document (French). */
export function scopesDescription(): string {
  return (
    'Chaque clé d’API a des portées, choisies à sa création (`diapason api-key:create <code> --scopes dossiers,terminals`, défaut `dossiers`) : ' +
    API_KEY_SCOPES.map((scope) => `\`${scope}\` (${API_KEY_SCOPE_LABELS[scope]})`).join(', ') +
    '. Les portées s’ajoutent : une opération est permise si l’une d’elles la permet. Chaque opération indique la sienne ' +
    `(\`${SCOPE_EXTENSION}\`) ; hors de ses portées, la clé reçoit 403 \`insufficient_scope\` avec le membre \`scope\`.`
  );
}

const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options', 'trace'] as const;

/** Writes the scope each operation requires at the end of its description, where GAP developers read. */
export function describeOperationScopes(document: OpenAPIObject): OpenAPIObject {
  for (const item of Object.values(document.paths)) {
    for (const method of METHODS) {
      const operation: OperationObject | undefined = item[method];
      const scope: unknown = (operation as Record<string, unknown> | undefined)?.[SCOPE_EXTENSION];
      if (!operation || typeof scope !== 'string') continue;
      const line = isReadMethod(method) ? `Portée de clé requise : \`${scope}\` ou \`${READ_ONLY_SCOPE}\`.` : `Portée de clé requise : \`${scope}\`.`;
      operation.description = operation.description ? `${operation.description}\n\n${line}` : line;
    }
  }
  return document;
}
