import type { OpenAPIObject, ResponseObject } from '@nestjs/swagger';
import { OUTAGE_RETRY_AFTER_SECONDS } from './database-outage';
import { DEPTH_PROBLEM_CODE, MAX_JSON_DEPTH, NUL_PROBLEM_CODE } from './input-hygiene';
import { PROBLEM_SCHEMA_NAME } from './openapi';
import { PROBLEM_CONTENT_TYPE } from './problem';

const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options'] as const;

const problemResponse = (description: string): ResponseObject => ({
  description,
  content: { [PROBLEM_CONTENT_TYPE]: { schema: { $ref: `#/components/schemas/${PROBLEM_SCHEMA_NAME}` } } },
});

const NUL_DESCRIPTION = `\`${NUL_PROBLEM_CODE}\` : caractère NUL (U+0000) dans le chemin, un paramètre ou le corps (champ nommé dans \`errors\`).`;
const DEPTH_DESCRIPTION = `\`${DEPTH_PROBLEM_CODE}\` : corps JSON imbriqué sur plus de ${MAX_JSON_DEPTH} niveaux.`;
const OUTAGE_DESCRIPTION =
  `\`service_unavailable\` : base de données momentanément injoignable ; réessayer après le délai de l’en-tête Retry-After ` +
  `(${OUTAGE_RETRY_AFTER_SECONDS} s).`;

/**
 * Problems that any operation can answer, whatever its controller declares: refused input checked
 * before routing (src/common/input-hygiene.ts: 400 `invalid_character`, `json_too_deep`) and a
 * database outage (src/common/database-outage.ts: 503 `service_unavailable`). `/health` keeps
 * its own 503 (HealthView body).
 */
export function documentCommonProblems(document: OpenAPIObject): OpenAPIObject {
  for (const [path, item] of Object.entries(document.paths)) {
    for (const method of METHODS) {
      const operation = item[method];
      if (!operation) continue;
      const responses = operation.responses as Record<string, ResponseObject>;
      const bad = [NUL_DESCRIPTION, ...(operation.requestBody ? [DEPTH_DESCRIPTION] : [])].join(' ');
      responses['400'] = responses['400'] ? { ...responses['400'], description: `${responses['400'].description} ${bad}` } : problemResponse(bad);
      if (path === '/health') continue;
      responses['503'] = responses['503']
        ? { ...responses['503'], description: `${responses['503'].description} ${OUTAGE_DESCRIPTION}` }
        : problemResponse(OUTAGE_DESCRIPTION);
      responses['503'].headers = {
        ...responses['503'].headers,
        'Retry-After': { description: 'Secondes à attendre avant de réessayer.', schema: { type: 'integer', minimum: 1 } },
      };
    }
  }
  return document;
}
