import { applyDecorators } from '@nestjs/common';
import { ApiHeader, ApiResponse } from '@nestjs/swagger';
import type { SchemaObject } from '@nestjs/swagger';
import { PROBLEM_CONTENT_TYPE } from './problem';

/** Name of the problem details schema in `components.schemas`. */
export const PROBLEM_SCHEMA_NAME = 'ProblemView';

/**
 * RFC 9457 problem details as `ProblemFilter` writes them (see `ProblemException.toBody()`):
 * the standard members, DIAPASON's stable `code`, the invalid fields of a 400, the request id,
 * and extension members that depend on the problem (`existingDossierId`, `currentStatus`,
 * `ceilingCents`…), hence `additionalProperties`.
 */
export const PROBLEM_VIEW_SCHEMA: SchemaObject = {
  type: 'object',
  description:
    'Erreur au format RFC 9457 (application/problem+json). `code` est stable : c’est lui que la GAP doit tester. ' +
    'Des membres supplémentaires précisent certains problèmes (`existingDossierId`, `currentStatus`, `event`, `ceilingCents`, `amountCents`, `attemptId`…).',
  required: ['type', 'title', 'status', 'detail', 'code'],
  properties: {
    type: { type: 'string', format: 'uri', example: 'urn:diapason:problem:validation-failed', description: 'URN du type de problème.' },
    title: { type: 'string', example: 'Requête invalide' },
    status: { type: 'integer', minimum: 400, maximum: 599, example: 400 },
    detail: { type: 'string', description: 'Explication en français, à montrer à l’utilisateur de la GAP.' },
    instance: { type: 'string', example: '/v1/dossiers', description: 'Chemin de la requête.' },
    code: { type: 'string', pattern: '^[a-z][a-z0-9_]*$', example: 'validation_failed' },
    errors: {
      type: 'array',
      description: 'Champs invalides (400).',
      items: {
        type: 'object',
        required: ['field', 'message'],
        additionalProperties: false,
        properties: {
          field: { type: 'string', example: 'patient.phone', description: 'Chemin du champ dans la requête.' },
          message: { type: 'string', example: 'numéro de téléphone invalide' },
        },
      },
    },
    requestId: { type: 'string', description: 'Identifiant de la requête (en-tête X-Request-Id), à citer au support.' },
  },
  additionalProperties: true,
};

const PROBLEM_DESCRIPTIONS: Record<number, string> = {
  400: '`malformed_json` : corps JSON mal formé ; `validation_failed` : champ invalide (détail dans `errors`).',
  401: '`unauthorized` : clé d’API manquante, inconnue ou révoquée (en-tête `WWW-Authenticate: Bearer`).',
  403: '`insufficient_scope` : la clé n’a pas la portée requise par cette opération (membre `scope`).',
  404: 'Ressource introuvable pour cet établissement (un identifiant mal formé est traité de même).',
  409: 'Conflit avec l’état de la ressource.',
  413: '`payload_too_large` : corps de la requête au-delà de la taille autorisée.',
  415: '`unsupported_media_type`, `unsupported_charset`, `unsupported_encoding` : le corps doit être du JSON (application/json).',
  422: 'Requête impossible à traiter.',
  429: '`too_many_invalid_keys` : trop de clés d’API invalides depuis cette adresse ; réessayer après le délai de l’en-tête `Retry-After` (secondes). Une clé valide reste acceptée.',
  503: 'Service indisponible.',
};

export interface ProblemDoc {
  status: number;
  description: string;
}

/**
 * Documents the `application/problem+json` answers of an operation (or of every operation of a
 * controller): `ApiProblems(404, { status: 409, description: 'Déjà annulé.' })`.
 */
export function ApiProblems(...problems: (number | ProblemDoc)[]): MethodDecorator & ClassDecorator {
  return applyDecorators(
    ...problems.map((p) => {
      const { status, description } = typeof p === 'number' ? { status: p, description: PROBLEM_DESCRIPTIONS[p] ?? 'Erreur.' } : p;
      return ApiResponse({
        status,
        description,
        content: { [PROBLEM_CONTENT_TYPE]: { schema: { $ref: `#/components/schemas/${PROBLEM_SCHEMA_NAME}` } } },
      });
    }),
  );
}

/** Problems of every route that reads a JSON body: malformed or invalid (400), too large (413), not JSON (415). */
export const JSON_BODY_PROBLEMS = [400, 413, 415] as const;

/** Name of the header honoured by `IdempotencyInterceptor` on POST routes. */
export const IDEMPOTENCY_KEY_HEADER_NAME = 'Idempotency-Key';

/**
 * Documents `Idempotency-Key` on a POST that goes through `IdempotencyInterceptor`, with the
 * problems it adds: a malformed key (400), a key already used for another request (422).
 */
export const IdempotencyKeyHeader = () =>
  applyDecorators(
    ApiHeader({
      name: IDEMPOTENCY_KEY_HEADER_NAME,
      required: false,
      schema: { type: 'string', minLength: 1, maxLength: 255, pattern: '^[\\x21-\\x7e]{1,255}$' },
      description:
        'Clé choisie par la GAP (1 à 255 caractères ASCII imprimables). Rejouer la même requête avec la même clé renvoie la première réponse ' +
        '(en-tête `Idempotent-Replayed: true`) ; la même clé avec un autre corps ou une autre adresse est refusée (422).',
    }),
    ApiProblems(
      { status: 400, description: '`invalid_idempotency_key` : en-tête Idempotency-Key mal formé.' },
      { status: 422, description: '`idempotency_key_reused` : clé déjà utilisée pour une autre requête (autre adresse ou autre corps).' },
    ),
  );
