import { execFileSync } from 'node:child_process';
import { IncomingMessage, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { RequestMethod } from '@nestjs/common';
import { INTERCEPTORS_METADATA, METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { ModulesContainer } from '@nestjs/core';
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { JOURNAL_EVENT_TYPES } from '@diapason/domain';
import { webhookPayload } from '@diapason/notifier';
import type { ClaimedDelivery } from '@diapason/persistence';
import { IdempotencyInterceptor } from '../apps/api/src/common/idempotency.interceptor';
import { createDossier, driveTo } from './support/fixtures';
import { NotifyHarness, startNotifyHarness } from './support/notify-harness';
import { ROOT } from './support/processes';

/** The document GAP vendors generate their clients from: OpenAPI 3.1, valid, and saying what the server does. */

type Operation = {
  operationId?: string;
  parameters?: { name: string; in: string; required?: boolean; schema?: Record<string, unknown> }[];
  requestBody?: { content: Record<string, { schema: unknown }> };
  responses: Record<string, { description: string; content?: Record<string, { schema: { $ref?: string } }> }>;
  security?: Record<string, string[]>[];
};
type Document = {
  openapi: string;
  paths: Record<string, Record<string, Operation>>;
  webhooks: Record<string, { post: Operation }>;
  components: { schemas: Record<string, any>; securitySchemes: Record<string, any> };
};

const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'patch'];
const PROBLEM_REF = '#/components/schemas/ProblemView';

const operations = (doc: Document) =>
  Object.entries(doc.paths).flatMap(([path, item]) =>
    Object.entries(item)
      .filter(([method]) => HTTP_METHODS.includes(method))
      .map(([method, op]) => ({ path, method, op })),
  );

const headerNames = (op: Operation) => (op.parameters ?? []).filter((p) => p.in === 'header').map((p) => p.name);

/** A JSON Schema validator over the served document, as a GAP's client generator would read it. */
function schemaValidator(doc: Document) {
  const ajv = new Ajv2020({ strict: false, allErrors: true, validateSchema: false });
  addFormats(ajv);
  ajv.addSchema({ ...doc, $id: 'https://diapason.test/served.json' });
  return (pointer: string) => ajv.compile({ $ref: `https://diapason.test/served.json${pointer}` });
}

describe('OpenAPI document', () => {
  let h: NotifyHarness;
  let doc: Document;

  beforeAll(async () => {
    h = await startNotifyHarness();
    const served = await h.api.request('GET', '/docs-json');
    expect(served.status).toBe(200);
    doc = served.body;
  });
  afterAll(() => h.close());

  it('is OpenAPI 3.1.0 and valid against the OpenAPI 3.1 schema', () => {
    expect(doc.openapi).toBe('3.1.0');
    // @seriousme/openapi-schema-validator is an ES module: it runs in a child Node process.
    const script = `
      import { Validator } from '@seriousme/openapi-schema-validator';
      let text = '';
      for await (const chunk of process.stdin) text += chunk;
      const validator = new Validator();
      const result = await validator.validate(JSON.parse(text));
      process.stdout.write(JSON.stringify({ valid: result.valid, version: validator.version, errors: result.errors ?? null }));
    `;
    const output = execFileSync(process.execPath, ['--input-type=module', '-e', script], { cwd: ROOT, input: JSON.stringify(doc) });
    const result = JSON.parse(output.toString()) as { valid: boolean; version: string; errors: unknown };
    expect(result).toEqual({ valid: true, version: '3.1', errors: null });
  });

  it('keeps no OpenAPI 3.0 construct (`nullable`) in its schemas', () => {
    expect(JSON.stringify(doc)).not.toContain('"nullable"');
  });

  it('describes the key as a bearer token without claiming JWT', () => {
    expect(doc.components.securitySchemes).toEqual({
      'gap-api-key': { type: 'http', scheme: 'bearer', description: expect.any(String) },
    });
    expect(JSON.stringify(doc)).not.toMatch(/bearerFormat|JWT/);
  });

  it('names every operation like a method, once', () => {
    const ids = [...operations(doc).map((o) => o.op.operationId), ...Object.values(doc.webhooks).map((w) => w.post.operationId)];
    for (const id of ids) expect(id).toMatch(/^[a-z][A-Za-z]+$/);
    expect(new Set(ids).size).toBe(ids.length);
    expect(
      operations(doc)
        .map((o) => o.op.operationId)
        .sort(),
    ).toEqual(
      [
        'createDossier',
        'listDossiers',
        'getDossier',
        'listDossierEvents',
        'cancelDossier',
        'requestPayment',
        'requestImprint',
        'listImprintAttempts',
        'createTerminal',
        'listTerminals',
        'getTerminal',
        'checkTerminal',
        'updateTerminal',
        'retireTerminal',
        'listRegies',
        'upsertRegie',
        'listAlerts',
        'createWebhookEndpoint',
        'listWebhookEndpoints',
        'deleteWebhookEndpoint',
        'listWebhookDeliveries',
        'getHealth',
        'listBankAccounts',
        'createBankAccount',
        'getBankAccount',
        'updateBankAccount',
        'listMerchantContracts',
        'createMerchantContract',
        'getMerchantContract',
        'updateMerchantContract',
        'getJournal',
        'importStatement',
        'uploadRemittances',
        'listRemittances',
        'getReconciliation',
        'matchManually',
        'unmatch',
        'getAnnualStatement',
      ].sort(),
    );
  });

  it('documents a 401 problem on every operation that needs the key, and only /health is public', () => {
    for (const { path, method, op } of operations(doc)) {
      if (path === '/health') {
        expect(op.security).toBeUndefined();
        continue;
      }
      expect({ path, method, security: op.security }).toEqual({ path, method, security: [{ 'gap-api-key': [] }] });
      expect({ path, method, problem: op.responses['401']?.content?.['application/problem+json']?.schema }).toEqual({
        path,
        method,
        problem: { $ref: PROBLEM_REF },
      });
    }
  });

  it('documents every error answer as application/problem+json with the ProblemView schema (but the /health body)', () => {
    for (const { path, method, op } of operations(doc)) {
      for (const [status, response] of Object.entries(op.responses)) {
        if (Number(status) < 400 || path === '/health') continue;
        expect({ path, method, status, content: response.content }).toEqual({
          path,
          method,
          status,
          content: { 'application/problem+json': { schema: { $ref: PROBLEM_REF } } },
        });
      }
      if (op.requestBody) {
        for (const status of ['400', '413', '415'])
          expect({ path, method, status, documented: status in op.responses }).toEqual({ path, method, status, documented: true });
      }
    }
    expect(doc.components.schemas.ProblemView).toMatchObject({
      required: ['type', 'title', 'status', 'detail', 'code'],
      additionalProperties: true,
    });
    expect(Object.keys(doc.components.schemas.ProblemView.properties)).toEqual([
      'type',
      'title',
      'status',
      'detail',
      'instance',
      'code',
      'errors',
      'requestId',
    ]);
  });

  it('documents Idempotency-Key (with its 400 and 422) on exactly the POSTs that go through IdempotencyInterceptor', () => {
    const honouring: string[] = [];
    for (const module of h.api.app.get(ModulesContainer).values()) {
      for (const { metatype } of module.controllers.values()) {
        const controller = metatype as { prototype: Record<string, unknown> };
        const classInterceptors: unknown[] = Reflect.getMetadata(INTERCEPTORS_METADATA, controller) ?? [];
        for (const name of Object.getOwnPropertyNames(controller.prototype)) {
          const handler = controller.prototype[name];
          if (typeof handler !== 'function' || Reflect.getMetadata(METHOD_METADATA, handler) !== RequestMethod.POST) continue;
          const interceptors = [...classInterceptors, ...(Reflect.getMetadata(INTERCEPTORS_METADATA, handler) ?? [])];
          if (!interceptors.includes(IdempotencyInterceptor)) continue;
          const path = ['', Reflect.getMetadata(PATH_METADATA, controller), Reflect.getMetadata(PATH_METADATA, handler)]
            .filter((segment) => segment !== '/' && segment !== undefined)
            .join('/')
            .replace(/\/+/g, '/')
            .replace(/:(\w+)/g, '{$1}');
          honouring.push(path);
        }
      }
    }
    expect(honouring.length).toBeGreaterThanOrEqual(7);
    const documented = operations(doc)
      .filter((o) => headerNames(o.op).includes('Idempotency-Key'))
      .map((o) => {
        expect(o.method).toBe('post');
        return o.path;
      });
    expect(documented.sort()).toEqual(honouring.sort());
    for (const { path, op } of operations(doc).filter((o) => documented.includes(o.path) && o.method === 'post')) {
      expect({ path, statuses: ['400', '422'].filter((s) => s in op.responses) }).toEqual({ path, statuses: ['400', '422'] });
    }
  });

  it('lists every journal event type in `webhooks`, with its payload and signature headers', () => {
    expect(Object.keys(doc.webhooks).sort()).toEqual([...JOURNAL_EVENT_TYPES].sort());
    for (const [type, { post }] of Object.entries(doc.webhooks)) {
      expect(headerNames(post).sort()).toEqual(['Diapason-Event-Id', 'Diapason-Event-Type', 'Diapason-Signature']);
      expect(post.parameters!.find((p) => p.name === 'Diapason-Event-Type')!.schema).toMatchObject({ const: type });
      expect(post.requestBody!.content['application/json'].schema).toEqual({
        allOf: [{ $ref: '#/components/schemas/WebhookEventView' }, { type: 'object', properties: { type: { type: 'string', const: type } } }],
      });
    }
  });

  it('describes the body `webhookPayload()` builds for every event type, and refuses another type', () => {
    const compile = schemaValidator(doc);
    const delivery = (type: string, fact: boolean): ClaimedDelivery => ({
      id: '0190a4b2-0000-7000-8000-000000000001',
      endpointId: '0190a4b2-0000-7000-8000-000000000002',
      eventId: '42',
      status: 'sending',
      attempts: 0,
      nextAttemptAt: new Date(),
      lastStatusCode: null,
      lastError: null,
      createdAt: new Date(),
      deliveredAt: null,
      url: 'https://gap.example/hooks',
      secret: 'whsec_x',
      event: {
        id: '42',
        type,
        at: new Date('2026-11-23T09:00:00Z'),
        fromStatus: fact ? null : 'imprinted',
        toStatus: fact ? null : 'payment_requested',
        details: { amountCents: 1750 },
        dossierId: '0190a4b2-0000-7000-8000-000000000003',
        gapDossierNumber: 'GAP-1',
        status: 'payment_requested',
        establishmentCode: 'CHU-A',
      },
    });
    for (const type of JOURNAL_EVENT_TYPES) {
      const validate = compile(`#/webhooks/${type.replace(/\//g, '~1')}/post/requestBody/content/application~1json/schema`);
      for (const fact of [true, false]) {
        const payload = webhookPayload(delivery(type, fact));
        expect({ type, valid: validate(payload), errors: validate.errors ?? null }).toEqual({ type, valid: true, errors: null });
      }
      const other = JOURNAL_EVENT_TYPES.find((t) => t !== type)!;
      expect(validate(webhookPayload(delivery(other, true)))).toBe(false);
    }
  });

  it('matches the webhooks the worker really sends, body and headers', async () => {
    const received: { headers: IncomingMessage['headers']; body: string }[] = [];
    const server = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk) => (body += chunk));
      req.on('end', () => {
        received.push({ headers: req.headers, body });
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`;
      expect((await h.api.request('POST', '/v1/webhook-endpoints', { key: h.key, body: { url } })).status).toBe(201);
      for (const target of ['completed', 'bank_rejected', 'cancelled', 'notification_failed'] as const) {
        const dossier = await createDossier(h.api, h.key);
        await driveTo(h.api, dossier.id, target);
      }
      await h.worker.tick();
      await h.worker.tick();
      const compile = schemaValidator(doc);
      const types = new Set<string>();
      expect(received.length).toBeGreaterThan(10);
      for (const { headers, body } of received) {
        const payload = JSON.parse(body) as { id: string; type: string };
        types.add(payload.type);
        const hook = doc.webhooks[payload.type];
        expect({ type: payload.type, documented: hook !== undefined }).toEqual({ type: payload.type, documented: true });
        const validate = compile(`#/webhooks/${payload.type}/post/requestBody/content/application~1json/schema`);
        expect({ type: payload.type, valid: validate(payload), errors: validate.errors ?? null }).toEqual({
          type: payload.type,
          valid: true,
          errors: null,
        });
        for (const parameter of hook.post.parameters!) {
          const value = headers[parameter.name.toLowerCase()];
          const check = new Ajv2020({ strict: false }).compile(parameter.schema!);
          expect({ header: parameter.name, value, valid: check(value) }).toEqual({ header: parameter.name, value, valid: true });
        }
        expect(headers['diapason-event-id']).toBe(payload.id);
      }
      expect(types.size).toBeGreaterThanOrEqual(6);
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  it('makes the harness fail loudly on an undocumented status or a body that does not match', () => {
    const validator = h.api.openapi;
    expect(() =>
      validator.check({ method: 'GET', path: '/v1/regies', status: 404, contentType: 'application/problem+json', body: {}, text: '{}' }),
    ).toThrow(/GET \/v1\/regies → 404: status 404 is not documented/);
    expect(() => validator.check({ method: 'GET', path: '/v1/regies', status: 200, contentType: 'application/json', body: [], text: '[]' })).toThrow(
      /does not match the documented schema/,
    );
    expect(() =>
      validator.check({
        method: 'GET',
        path: '/v1/regies',
        status: 200,
        contentType: 'application/json',
        body: { data: [{ code: 'R', name: 'R', phone: null, email: null, address: null, openingHours: null, undocumented: 1 }] },
        text: '…',
      }),
    ).toThrow(/must NOT have additional properties/);
    expect(() => validator.check({ method: 'GET', path: '/v1/regies', status: 200, contentType: 'text/html', body: undefined, text: '<p>' })).toThrow(
      /content type text\/html is not documented/,
    );
    expect(validator.validated).toBeGreaterThan(0);
  });
});
