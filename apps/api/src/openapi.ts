import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import type { PathItemObject, SchemaObject } from '@nestjs/swagger';
import { JOURNAL_EVENT_TYPES } from '@diapason/domain';
import { GAP_API_KEY_SCHEME } from './common/auth';
import { PROBLEM_SCHEMA_NAME, PROBLEM_VIEW_SCHEMA } from './common/openapi';
import { describeOperationScopes, scopesDescription } from './common/scopes';
import { documentCommonProblems } from './common/openapi-common-problems';
import { WebhookEventView } from './webhooks/webhook-event.view';

export const OPENAPI_VERSION = '3.1.0';

/**
 * The OpenAPI document of the GAP API, served at /docs-json: GAP vendors generate their clients
 * from it, and the end-to-end suites validate every answer against it (test/support/openapi-validator.ts).
 */
export function createOpenApiDocument(app: INestApplication): OpenAPIObject {
  const config = new DocumentBuilder()
    .setOpenAPIVersion(OPENAPI_VERSION)
    .setTitle('DIAPASON — API GAP')
    .setDescription(
      'Paiement différé par carte des restes à charge hospitaliers. Montants en centimes d’euro (entiers). ' +
        'Erreurs au format application/problem+json (RFC 9457, schéma ProblemView). ' +
        'Chaque POST accepte un en-tête Idempotency-Key. Les événements des dossiers sont envoyés par webhooks (section `webhooks`). ' +
        scopesDescription() +
        ' Une méthode qu’une adresse connue n’accepte pas reçoit 405 avec l’en-tête `Allow` ; OPTIONS répond 204 avec `Allow`.',
    )
    .setVersion('1')
    // Not `addBearerAuth`: it adds `bearerFormat: 'JWT'`, and the key is an opaque string.
    .addSecurity(GAP_API_KEY_SCHEME, { type: 'http', scheme: 'bearer', description: 'Clé d’API de l’établissement (chaîne opaque).' })
    .build();
  config.components = { ...config.components, schemas: { [PROBLEM_SCHEMA_NAME]: PROBLEM_VIEW_SCHEMA } };
  config.webhooks = webhooksSection();
  const document = SwaggerModule.createDocument(app, config, { extraModels: [WebhookEventView] });
  return describeOperationScopes(toOpenApi31(documentCommonProblems(document)));
}

/** JSON Schema 2020-12 `const`, which Nest's 3.0-era `SchemaObject` type does not list. */
const constString = (value: string): SchemaObject => ({ type: 'string', const: value }) as SchemaObject;

const WEBHOOK_EVENT_REF = `#/components/schemas/${WebhookEventView.name}`;

/** `dossier.payment_requested` → `onDossierPaymentRequested`: webhook operation ids read as handlers. */
export function webhookOperationId(eventType: string): string {
  return (
    'on' +
    eventType
      .split(/[._]/)
      .map((word) => word.charAt(0).toUpperCase() + word.slice(1))
      .join('')
  );
}

/**
 * One webhook per journal event type (`JOURNAL_EVENT_TYPES`): what DIAPASON POSTs to the GAP's
 * endpoints (libs/notifier/src/webhook-dispatcher.ts), body and signature headers.
 */
export function webhooksSection(): Record<string, PathItemObject> {
  return Object.fromEntries(
    JOURNAL_EVENT_TYPES.map((type): [string, PathItemObject] => [
      type,
      {
        post: {
          operationId: webhookOperationId(type),
          summary: `Événement ${type}`,
          tags: ['Webhooks'],
          description:
            'Envoyé à chaque adresse abonnée à ce type (ou à `*`). Vérifiez la signature avant de traiter le corps : ' +
            '`Diapason-Signature: t=<secondes Unix>,v1=<HMAC-SHA256 hexadécimal de "<t>.<corps brut>" avec le secret de l’abonnement>`. ' +
            'Le même événement peut arriver plusieurs fois (nouvel essai) : dédoublonnez sur `id`.',
          parameters: [
            {
              name: 'Diapason-Signature',
              in: 'header',
              required: true,
              description: 't=<secondes Unix>,v1=<HMAC-SHA256 hexadécimal de "<t>.<corps brut>">',
              schema: { type: 'string', pattern: '^t=[0-9]+,v1=[0-9a-f]{64}$' },
            },
            {
              name: 'Diapason-Event-Id',
              in: 'header',
              required: true,
              description: 'Égal au membre `id` du corps.',
              schema: { type: 'string', pattern: '^evt_[0-9]+$' },
            },
            { name: 'Diapason-Event-Type', in: 'header', required: true, description: 'Égal au membre `type` du corps.', schema: constString(type) },
          ],
          requestBody: {
            required: true,
            content: {
              'application/json': {
                schema: { allOf: [{ $ref: WEBHOOK_EVENT_REF }, { type: 'object', properties: { type: constString(type) } }] },
              },
            },
          },
          responses: {
            '2XX': {
              description:
                'Reçu. Toute autre réponse, ou aucune avant le délai, entraîne un nouvel essai (attente doublée à chaque fois, ' +
                'de 10 s à 2 h) pendant 24 h ; l’envoi est ensuite marqué en échec (GET /v1/webhook-endpoints/{id}/deliveries).',
            },
          },
        },
      },
    ]),
  );
}

const DATA_KEYS = new Set(['example', 'examples', 'default', 'const', 'enum']);

/**
 * Makes the document generated by @nestjs/swagger valid OpenAPI 3.1 (JSON Schema 2020-12), in one
 * place. Nest already rewrites `nullable` when the version is 3.1; what it leaves in 3.0 form is
 * rewritten here, and the version is checked:
 * - `nullable: true` → `type: [T, 'null']` (and `null` added to an `enum`), or `anyOf: [schema, {type: 'null'}]`
 *   around a `$ref` / combinator; `nullable: false` is dropped;
 * - boolean `exclusiveMinimum` / `exclusiveMaximum` (3.0) → numeric bounds (3.1).
 * Data (`example`, `default`, `enum`, `const`) and `x-` extensions are left as they are.
 */
export function toOpenApi31(document: OpenAPIObject): OpenAPIObject {
  if (document.openapi !== OPENAPI_VERSION) throw new Error(`OpenAPI ${OPENAPI_VERSION} expected, got ${document.openapi}`);
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(walk);
    if (!node || typeof node !== 'object') return;
    const schema = node as Record<string, unknown>;
    for (const [key, value] of Object.entries(schema)) {
      if (!DATA_KEYS.has(key) && !key.startsWith('x-')) walk(value);
    }
    for (const bound of ['Minimum', 'Maximum'] as const) {
      const exclusive = `exclusive${bound}`;
      const limit = bound.toLowerCase();
      if (typeof schema[exclusive] === 'boolean') {
        if (schema[exclusive] && typeof schema[limit] === 'number') {
          schema[exclusive] = schema[limit];
          delete schema[limit];
        } else {
          delete schema[exclusive];
        }
      }
    }
    if (typeof schema.nullable !== 'boolean') return;
    const nullable = schema.nullable;
    delete schema.nullable;
    if (!nullable) return;
    const combinator = (['allOf', 'anyOf', 'oneOf'] as const).find((k) => Array.isArray(schema[k]));
    if ('$ref' in schema || combinator) {
      const inner: Record<string, unknown> = {};
      for (const key of ['$ref', 'allOf', 'anyOf', 'oneOf']) {
        if (key in schema) {
          inner[key] = schema[key];
          delete schema[key];
        }
      }
      if (schema.type === 'object' && !('properties' in schema)) delete schema.type;
      schema.anyOf = [inner, { type: 'null' }];
      return;
    }
    if (schema.type !== undefined) {
      const types: unknown[] = Array.isArray(schema.type) ? (schema.type as unknown[]) : [schema.type];
      schema.type = types.includes('null') ? types : [...types, 'null'];
    }
    if (Array.isArray(schema.enum) && !schema.enum.includes(null)) schema.enum = [...(schema.enum as unknown[]), null];
  };
  walk(document.components);
  walk(document.paths);
  walk(document.webhooks);
  return document;
}
