import Ajv2020, { ErrorObject, ValidateFunction } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';

/**
 * Checks every answer the end-to-end suites receive against the OpenAPI document the API serves
 * at /docs-json, so that the document GAP vendors generate their clients from cannot drift from
 * what the server sends.
 *
 * An answer is matched to its operation (method + path template), then to the documented status
 * and content type, and its JSON body is validated with ajv (JSON Schema 2020-12, the dialect of
 * OpenAPI 3.1). Stricter than a client needs, on purpose: an object schema that does not say
 * otherwise accepts no undocumented member (`additionalProperties: false` is added to the
 * validator's copy, never to the served document), so a field added to a view without its
 * `@ApiProperty` fails the suite.
 */

/** Addresses that are not part of the GAP API document: patient pages (HTML, GIF), provider callbacks, the document itself. */
const UNDOCUMENTED_PREFIXES = ['/p/', '/callbacks/', '/docs'];

export interface CheckedAnswer {
  method: string;
  /** Path with its query string, as requested. */
  path: string;
  status: number;
  contentType: string | null;
  /** Parsed JSON body, or `undefined` for an empty one. */
  body: unknown;
  text: string;
}

interface Operation {
  method: string;
  template: string;
  pattern: RegExp;
  /** Literal segments: a literal path wins over a template that also matches. */
  literals: number;
  responses: Record<string, { content?: Record<string, { schema?: unknown }> }>;
  pointer: string;
}

type OpenApiDocument = {
  openapi: string;
  paths: Record<string, Record<string, { responses?: Operation['responses'] }>>;
  components?: { schemas?: Record<string, unknown> };
};

const DOCUMENT_ID = 'https://diapason.test/openapi.json';
const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options', 'trace'];

const escapePointer = (segment: string) => segment.replace(/~/g, '~0').replace(/\//g, '~1');

/** Test-only strictness: object schemas with `properties` and no word on extra members refuse them. */
function closeObjects(node: unknown): void {
  if (Array.isArray(node)) return node.forEach(closeObjects);
  if (!node || typeof node !== 'object') return;
  const schema = node as Record<string, unknown>;
  for (const [key, value] of Object.entries(schema)) {
    if (!['example', 'examples', 'default', 'const', 'enum'].includes(key)) closeObjects(value);
  }
  if (schema.properties && typeof schema.properties === 'object' && !('additionalProperties' in schema) && !('allOf' in schema)) {
    schema.additionalProperties = false;
  }
}

export class OpenApiValidator {
  /** Answers validated so far (each matched to a documented response and its schema). */
  validated = 0;
  private readonly ajv: Ajv2020;
  private readonly operations: Operation[];
  private readonly compiled = new Map<string, ValidateFunction>();

  constructor(readonly document: OpenApiDocument) {
    this.ajv = new Ajv2020({ strict: false, allErrors: true, validateSchema: false });
    addFormats(this.ajv);
    const copy: OpenApiDocument = structuredClone(document);
    closeObjects(copy.components?.schemas);
    for (const item of Object.values(copy.paths)) {
      for (const op of Object.values(item)) {
        for (const response of Object.values(op.responses ?? {})) closeObjects(response);
      }
    }
    this.ajv.addSchema({ ...copy, $id: DOCUMENT_ID });
    this.operations = Object.entries(copy.paths).flatMap(([template, item]) =>
      Object.entries(item)
        .filter(([method]) => HTTP_METHODS.includes(method))
        .map(([method, op]) => ({
          method: method.toUpperCase(),
          template,
          pattern: new RegExp(`^${template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{[^}/]+\}/g, '[^/]+')}$`),
          literals: template.split('/').filter((s) => s && !s.startsWith('{')).length,
          responses: op.responses ?? {},
          pointer: `#/paths/${escapePointer(template)}/${method}/responses`,
        })),
    );
  }

  static async load(baseUrl: string): Promise<OpenApiValidator> {
    const response = await fetch(`${baseUrl}/docs-json`);
    if (!response.ok) throw new Error(`OpenAPI document: GET /docs-json answered ${response.status}`);
    return new OpenApiValidator((await response.json()) as OpenApiDocument);
  }

  /** Throws, naming the request, the status and the schema errors, when the answer is not what the document says. */
  check(answer: CheckedAnswer): void {
    const pathname = new URL(answer.path, 'http://x').pathname;
    if (UNDOCUMENTED_PREFIXES.some((prefix) => pathname.startsWith(prefix))) return;
    const where = `${answer.method} ${answer.path} → ${answer.status}`;
    const mediaType = answer.contentType?.split(';')[0]!.trim().toLowerCase() ?? null;

    const candidates = this.operations.filter((o) => o.pattern.test(pathname)).sort((a, b) => b.literals - a.literals);
    const operation = candidates.find((o) => o.method === answer.method.toUpperCase());
    if (!operation) {
      // OPTIONS on a known address: 204 with `Allow`, no body (bootstrap's allowedMethods).
      if (answer.method.toUpperCase() === 'OPTIONS' && answer.status === 204 && candidates.length > 0 && answer.text === '') {
        this.validated += 1;
        return;
      }
      // No route at this address (or not for this method): Nest's 404, or 405 with `Allow`, a problem like any other;
      // under /v1 without a known key, the 401 (or, after too many invalid keys, the 429) that comes before routing.
      const unauthenticated = (answer.status === 401 || answer.status === 429) && /^\/v1(\/|$)/i.test(pathname);
      if (answer.status !== 404 && answer.status !== 405 && !unauthenticated) {
        throw new Error(`OpenAPI: ${where}: no documented operation for ${answer.method} ${pathname}`);
      }
      this.validate(where, `#/components/schemas/ProblemView`, answer, mediaType, 'application/problem+json');
      return;
    }

    const documented = operation.responses[String(answer.status)] ?? operation.responses[`${String(answer.status)[0]}XX`];
    if (!documented) {
      throw new Error(
        `OpenAPI: ${where}: status ${answer.status} is not documented for ${operation.method} ${operation.template} ` +
          `(documented: ${Object.keys(operation.responses).join(', ')}); body: ${answer.text.slice(0, 500)}`,
      );
    }
    const key = String(answer.status) in operation.responses ? String(answer.status) : `${String(answer.status)[0]}XX`;
    const content = documented.content ?? {};
    if (Object.keys(content).length === 0) {
      if (answer.text !== '') throw new Error(`OpenAPI: ${where}: a body was sent but the response documents none: ${answer.text.slice(0, 300)}`);
      this.validated += 1;
      return;
    }
    if (!mediaType || !(mediaType in content)) {
      throw new Error(`OpenAPI: ${where}: content type ${mediaType} is not documented (documented: ${Object.keys(content).join(', ')})`);
    }
    // Files (CSV, XLSX, PDF): the documented media type is all there is to check.
    if (!isJsonMediaType(mediaType)) {
      this.validated += 1;
      return;
    }
    const pointer = `${operation.pointer}/${escapePointer(key)}/content/${escapePointer(mediaType)}/schema`;
    this.validate(where, pointer, answer, mediaType, mediaType);
  }

  private validate(where: string, pointer: string, answer: CheckedAnswer, mediaType: string | null, expectedMediaType: string): void {
    if (mediaType !== expectedMediaType) throw new Error(`OpenAPI: ${where}: content type ${mediaType}, expected ${expectedMediaType}`);
    if (answer.body === undefined || typeof answer.body === 'string') {
      throw new Error(`OpenAPI: ${where}: the body is not JSON: ${answer.text.slice(0, 300)}`);
    }
    let validate = this.compiled.get(pointer);
    if (!validate) {
      validate = this.ajv.compile({ $ref: `${DOCUMENT_ID}${pointer}` });
      this.compiled.set(pointer, validate);
    }
    if (!validate(answer.body)) {
      throw new Error(
        `OpenAPI: ${where}: the body does not match the documented schema (${pointer}):\n` +
          formatErrors(validate.errors ?? []) +
          `\nbody: ${answer.text.slice(0, 1000)}`,
      );
    }
    this.validated += 1;
  }
}

const isJsonMediaType = (mediaType: string): boolean => mediaType === 'application/json' || mediaType.endsWith('+json');

function formatErrors(errors: ErrorObject[]): string {
  return errors.map((e) => `  ${e.instancePath || '(body)'} ${e.message ?? ''} ${JSON.stringify(e.params)} [${e.schemaPath}]`).join('\n');
}
