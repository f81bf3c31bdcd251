import fc from 'fast-check';
import {
  FuzzContext,
  FuzzRequest,
  RequestSchemas,
  carriesDeepNesting,
  carriesLoneSurrogate,
  carriesNul,
  carriesNullMember,
  collectionOf,
  fuzzOperations,
  outsideDocument,
  pathIsRewritten,
  requestArbitrary,
  routedPath,
} from './openapi-fuzz';

const IDEMPOTENCY = { name: 'Idempotency-Key', in: 'header', schema: { type: 'string', pattern: '^[\\x21-\\x7e]{1,255}$' } };

/** A small document shaped like the served one. */
const document = {
  openapi: '3.1.0',
  paths: {
    '/v1/things': {
      post: {
        operationId: 'createThing',
        security: [{ 'gap-api-key': [] }],
        parameters: [IDEMPOTENCY],
        requestBody: { required: true, content: { 'application/json': { schema: { $ref: '#/components/schemas/CreateThingDto' } } } },
        responses: {},
      },
      get: {
        operationId: 'listThings',
        security: [{ 'gap-api-key': [] }],
        parameters: [{ name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 100 } }],
        responses: {},
      },
    },
    '/v1/things/{id}': {
      get: {
        operationId: 'getThing',
        security: [{ 'gap-api-key': [] }],
        parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }],
        responses: {},
      },
    },
    '/health': { get: { operationId: 'getHealth', responses: {} } },
  },
  components: {
    schemas: {
      CreateThingDto: {
        type: 'object',
        properties: { name: { type: 'string' }, owner: { $ref: '#/components/schemas/OwnerDto' }, note: { type: 'string' } },
        required: ['name', 'owner'],
      },
      OwnerDto: { type: 'object', properties: { email: { type: 'string' } }, required: ['email'] },
      ProblemView: { type: 'object', properties: { status: { type: 'integer' } }, required: ['status'] },
    },
  },
};

const context: FuzzContext = {
  document,
  fixtures: { '/v1/things': ['thing-1'] },
  sharedNames: [],
  hints: { name: fc.constant('Chose') },
};

const request = (overrides: Partial<FuzzRequest>): FuzzRequest => ({
  operationId: 'x',
  variant: 'valid',
  auth: 'key',
  method: 'GET',
  path: '/v1/things',
  headers: {},
  namesOwnFixture: false,
  ...overrides,
});

describe('requests generated from an OpenAPI document', () => {
  const operations = fuzzOperations(document);
  const byId = (id: string) => operations.find((o) => o.operationId === id)!;

  it('lists every operation with its parameters, JSON body and security', () => {
    expect(operations.map((o) => `${o.method} ${o.template} ${o.operationId} ${o.secured}`)).toEqual([
      'POST /v1/things createThing true',
      'GET /v1/things listThings true',
      'GET /v1/things/{id} getThing true',
      'GET /health getHealth false',
    ]);
    expect(byId('createThing').body).toEqual({ required: true, schema: { $ref: '#/components/schemas/CreateThingDto' } });
    expect(collectionOf('/v1/things/{id}/events', 'id')).toBe('/v1/things');
  });

  it('makes valid requests the document accepts, and every kind of invalid one', () => {
    const schemas = new RequestSchemas(document);
    const variants = new Set<string>();
    const samples = fc.sample(requestArbitrary(byId('createThing'), context), { seed: 7, numRuns: 2000 });
    for (const sample of samples) {
      variants.add(sample.variant.split(' + ')[0].replace(/ .*/, ''));
      if (sample.variant === 'valid') {
        expect(schemas.check(byId('createThing'), sample.json)).toBeNull();
        expect(sample.headers['content-type']).toBe('application/json');
        expect(JSON.parse(sample.body!)).toEqual(sample.json);
      }
    }
    expect([...variants].sort()).toEqual(
      [
        'valid',
        'auth:none',
        'auth:malformed',
        'auth:unknown-key',
        'auth:other-establishment',
        'body:drop-required',
        'body:wrong-type',
        'body:null-member',
        'body:strange-number',
        'body:long-string',
        'body:nul-byte',
        'body:odd-unicode',
        'body:deep-nesting',
        'body:extra-member',
        'body:not-an-object',
        'body:malformed',
        'body:content-type',
        'header:idempotency-key',
        'query:unknown',
      ].sort(),
    );
    // The hint is offered, and optional members absent from a valid body are mutated too.
    expect(samples.some((s) => s.variant === 'valid' && (s.json as { name: string }).name === 'Chose')).toBe(true);
    expect(samples.some((s) => s.variant.startsWith('body:null-member') && (s.json as { note?: unknown }).note === null)).toBe(true);
    expect(samples.some((s) => s.variant.startsWith('body:drop-required') && !('email' in ((s.json as any)?.owner ?? { email: 1 })))).toBe(true);
  });

  it('puts the fixtures’ ids in paths most of the time, and bad ids and query values in invalid requests', () => {
    const gets = fc.sample(requestArbitrary(byId('getThing'), context), { seed: 1, numRuns: 500 });
    const namesFixture = (g: FuzzRequest) => g.path.split('?')[0] === '/v1/things/thing-1';
    expect(gets.filter(namesFixture).length).toBeGreaterThan(100);
    expect(gets.every((g) => g.namesOwnFixture === namesFixture(g))).toBe(true);
    expect(gets.some((g) => g.variant.startsWith('path:bad id'))).toBe(true);
    const lists = fc.sample(requestArbitrary(byId('listThings'), context), { seed: 1, numRuns: 500 });
    expect(lists.some((l) => l.variant.startsWith('query:bad limit'))).toBe(true);
    expect(lists.filter((l) => l.variant === 'valid').every((l) => /^\/v1\/things(\?limit=\d+)?$/.test(l.path))).toBe(true);
  });

  it('replays the same requests from the same seed', () => {
    const arbitrary = requestArbitrary(byId('createThing'), context);
    expect(fc.sample(arbitrary, { seed: 99, numRuns: 50 })).toEqual(fc.sample(arbitrary, { seed: 99, numRuns: 50 }));
  });

  it('recognises the hostile inputs the suite allow-lists and the requests outside the document', () => {
    const operations = fuzzOperations(document);
    expect(carriesNul(request({ path: '/v1/things/a%00b' }))).toBe(true);
    expect(carriesNul(request({ body: '{"a":"x\\u0000"}' }))).toBe(true);
    expect(carriesNul(request({ body: '{"a":"x"}' }))).toBe(false);
    expect(carriesNullMember(request({ json: { a: { b: null } } }))).toBe(true);
    expect(carriesNullMember(request({ json: { a: { b: 1 } } }))).toBe(false);
    expect(carriesLoneSurrogate(request({ body: JSON.stringify({ email: 'a\uD800@x.fr' }) }))).toBe(true);
    expect(carriesLoneSurrogate(request({ body: JSON.stringify({ name: '𝕏🏥' }) }))).toBe(false);
    expect(carriesDeepNesting(request({ body: `{"a":${'['.repeat(50)}${']'.repeat(50)}}` }))).toBe(true);
    expect(outsideDocument(request({ path: '/v1/things/%ZZ' }), operations)).toBe(true);
    expect(outsideDocument(request({ path: '/v1/things/%FF' }), operations)).toBe(true);
    expect(outsideDocument(request({ path: '/v1/things?limit=%' }), operations)).toBe(true);
    expect(outsideDocument(request({ path: '/v1/things/%C3%A9?limit=1' }), operations)).toBe(false);
    expect(outsideDocument(request({ variant: 'body:unexpected' }), operations)).toBe(true);
    expect(outsideDocument(request({ method: 'POST', path: '/v1/things/./x', body: '{' }), operations)).toBe(true);
    expect(outsideDocument(request({ method: 'POST', path: '/v1/things/x/..', body: '{' }), operations)).toBe(false);
    expect(outsideDocument(request({ method: 'POST', path: '/v1/things/./x' }), operations)).toBe(false);
    expect(routedPath(request({ path: '/v1/things/.' }))).toBe('/v1/things');
    expect(routedPath(request({ path: '/v1/things/x/%2e%2e/?limit=1' }))).toBe('/v1/things?limit=1');
    expect(pathIsRewritten(request({ path: '/v1/things/%2e%2e' }))).toBe(true);
    expect(pathIsRewritten(request({ path: '/v1/things/thing-1?limit=1' }))).toBe(false);
  });
});
