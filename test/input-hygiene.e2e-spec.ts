import { randomUUID } from 'node:crypto';
import { PatientLinkTokens } from '@diapason/notifier';
import { ApiHarness, startApi } from './support/api-harness';
import { DatabaseRelay, databaseRelay } from './support/database-relay';
import { createDossier, dossierBody } from './support/fixtures';

/**
 * Issue 13, point 7: bad input that used to end in a 500 (PostgreSQL refusing a NUL byte, a
 * `null` reaching a NOT NULL column, a JSON body deep enough to overflow the stack) is a 400
 * problem naming the field; a database outage is a 503 problem with Retry-After. Every answer goes
 * through the harness, which checks it against the OpenAPI document.
 */
describe('bad input and database outage: problems, never a 500', () => {
  let api: ApiHarness;
  let key: string;
  let relay: DatabaseRelay;

  beforeAll(async () => {
    api = await startApi({
      connectThrough: async (url) => {
        relay = await databaseRelay(new URL(url));
        return relay.url;
      },
    });
    key = await api.createKey('CH-HYGIENE');
  });
  afterAll(async () => {
    await relay?.restore();
    await api?.close();
    await relay?.close();
  });

  const expectNulProblem = (res: { status: number; body: any }, field: string) => {
    expect({ status: res.status, code: res.body.code, errors: res.body.errors }).toEqual({
      status: 400,
      code: 'invalid_character',
      errors: [{ field, message: 'contient un caractère interdit (NUL)' }],
    });
    expect(res.body.detail).toContain(field === 'path' ? 'Le chemin de la requête' : `Le champ ${field} `);
  };

  describe('NUL bytes', () => {
    it('in a string of the body, named by its path', async () => {
      const body = dossierBody();
      (body.patient as Record<string, string>).lastName = 'DU\u0000PONT';
      const res = await api.request('POST', '/v1/dossiers', { key, body });
      expectNulProblem(res, 'patient.lastName');
      expect(res.body.detail).toBe('Le champ patient.lastName contient un caractère interdit (NUL).');
    });

    it('in a webhook URL, in an array item, in a key of the body', async () => {
      expectNulProblem(
        await api.request('POST', '/v1/webhook-endpoints', { key, body: { url: 'https://gap.example.test/\u0000hooks', secret: 's'.repeat(40) } }),
        'url',
      );
      expectNulProblem(
        await api.request('POST', '/v1/webhook-endpoints', {
          key,
          body: { url: 'https://gap.example.test/hooks', eventTypes: ['*', 'dossier.\u0000'] },
        }),
        'eventTypes.1',
      );
      expectNulProblem(await api.request('PUT', '/v1/regies/R1', { key, body: { ['na\u0000me']: 'x' } }), 'na\\u0000me');
    });

    it('in a query parameter or the path (%00)', async () => {
      expectNulProblem(await api.request('GET', '/v1/dossiers?gapDossierNumber=GAP%001', { key }), 'gapDossierNumber');
      expectNulProblem(await api.request('GET', '/v1/dossiers?cursor=%00', { key }), 'cursor');
      expectNulProblem(await api.request('PUT', '/v1/regies/R%001', { key, body: { name: 'Régie' } }), 'path');
      expectNulProblem(await api.request('GET', `/v1/dossiers/${randomUUID()}%00`, { key }), 'path');
      expectNulProblem(await api.request('GET', '/v1/terminals/T%00', { key }), 'path');
    });

    it('leaves the database untouched: nothing was stored', async () => {
      const rows = await api.dataSource.query(`SELECT count(*)::int AS n FROM dossier WHERE patient_last_name LIKE 'DU%'`);
      expect(rows[0].n).toBe(0);
    });
  });

  describe('null where a value is expected', () => {
    it('PUT /v1/regies/{code} {"name": null} is a 400 naming `name`, and the régie keeps its name', async () => {
      expect((await api.request('PUT', '/v1/regies/R-NULL', { key, body: { name: 'Régie des consultations' } })).status).toBe(200);
      const res = await api.request('PUT', '/v1/regies/R-NULL', { key, body: { name: null } });
      expect({ status: res.status, code: res.body.code, errors: res.body.errors }).toEqual({
        status: 400,
        code: 'validation_failed',
        errors: [{ field: 'name', message: 'ne doit pas valoir null' }],
      });
      expect(res.body.detail).toBe('Le champ name est invalide : ne doit pas valoir null.');
      const list = await api.request('GET', '/v1/regies', { key });
      expect(list.body.data.find((r: { code: string }) => r.code === 'R-NULL').name).toBe('Régie des consultations');
    });

    // Every optional field of every body: absent is fine, null is refused.
    const cases: [string, string, Record<string, unknown>, string][] = [
      ...['phone', 'email', 'address', 'openingHours'].map((field): [string, string, Record<string, unknown>, string] => [
        'PUT',
        '/v1/regies/R-NULL',
        { [field]: null },
        field,
      ]),
      ['POST', '/v1/dossiers', dossierBody({ admissionDate: null }), 'admissionDate'],
      [
        'POST',
        '/v1/dossiers',
        dossierBody({ patient: { lastName: 'Martin', firstName: 'Claire', phone: '06 39 98 01 01', email: null } }),
        'patient.email',
      ],
      [
        'POST',
        '/v1/dossiers',
        dossierBody({ patient: { lastName: 'Martin', firstName: 'Claire', phone: null, email: 'c@example.test' } }),
        'patient.phone',
      ],
      ['POST', `/v1/dossiers/${randomUUID()}/payment-request`, { amountCents: 1000, invoiceReference: null }, 'invoiceReference'],
      [
        'POST',
        '/v1/terminals',
        { id: 'TPE-NULL', label: 'Accueil', model: 'ICT250', regieCode: 'REGIE-01', transportUrl: 'tcp://10.0.0.9:8888', bridgeHost: null },
        'bridgeHost',
      ],
      ['POST', '/v1/webhook-endpoints', { url: 'https://gap.example.test/hooks', secret: null }, 'secret'],
      ['POST', '/v1/webhook-endpoints', { url: 'https://gap.example.test/hooks', eventTypes: null }, 'eventTypes'],
    ];
    it.each(cases)('%s %s with a null field is a 400 naming it', async (method, path, body, field) => {
      const res = await api.request(method, path, { key, body });
      expect({ status: res.status, code: res.body.code }).toEqual({ status: 400, code: 'validation_failed' });
      expect(res.body.errors).toContainEqual({ field, message: 'ne doit pas valoir null' });
    });

    it('an optional field left out is still accepted', async () => {
      const res = await api.request('PUT', '/v1/regies/R-NULL', { key, body: { phone: '01 99 00 12 34' } });
      expect(res.status).toBe(200);
      const dossier = dossierBody({ patient: { lastName: 'Martin', firstName: 'Claire', email: 'claire@example.test' } });
      delete dossier.admissionDate;
      expect((await api.request('POST', '/v1/dossiers', { key, body: dossier })).status).toBe(201);
    });
  });

  describe('deeply nested JSON', () => {
    it('5,000 levels of arrays or objects are a 400 naming the limit, before anything walks them', async () => {
      for (const rawBody of ['['.repeat(5000) + ']'.repeat(5000), '{"a":'.repeat(5000) + '1' + '}'.repeat(5000)]) {
        const res = await api.request('POST', '/v1/dossiers', { key, rawBody, headers: { 'content-type': 'application/json' } });
        expect({ status: res.status, code: res.body.code, maxDepth: res.body.maxDepth }).toEqual({
          status: 400,
          code: 'json_too_deep',
          maxDepth: 32,
        });
        expect(res.body.detail).toBe('Le corps JSON est trop imbriqué : 32 niveaux d’objets et de listes au plus.');
      }
    });

    it('brackets inside strings do not count, and 32 levels are parsed (then validated)', async () => {
      const inString = await api.request('POST', '/v1/dossiers', { key, body: dossierBody({ admissionDate: '['.repeat(5000) }) });
      expect({ status: inString.status, code: inString.body.code }).toEqual({ status: 400, code: 'validation_failed' });
      const deepest = '{"a":'.repeat(31) + '[1]' + '}'.repeat(31);
      const res = await api.request('POST', '/v1/dossiers', { key, rawBody: deepest, headers: { 'content-type': 'application/json' } });
      expect({ status: res.status, code: res.body.code }).toEqual({ status: 400, code: 'validation_failed' });
    });

    it('the body size limit still holds', async () => {
      const res = await api.request('POST', '/v1/dossiers', {
        key,
        rawBody: JSON.stringify({ filler: 'x'.repeat(api.config.http.bodyLimitBytes) }),
        headers: { 'content-type': 'application/json' },
      });
      expect({ status: res.status, code: res.body.code }).toEqual({ status: 413, code: 'payload_too_large' });
    });
  });

  describe('database outage', () => {
    it('answers 503 problems with Retry-After while the database is gone, and works again when it is back', async () => {
      const dossier = await createDossier(api, key);
      const otherKey = await api.createKey('CH-HYGIENE-2');
      await relay.cut();
      try {
        // A known key (cached by the guard) reaches the query; an unknown one fails in the guard's own lookup.
        for (const [method, path, body, k] of [
          ['GET', '/v1/dossiers', undefined, key],
          ['GET', `/v1/dossiers/${dossier.id}`, undefined, key],
          ['POST', '/v1/dossiers', dossierBody(), key],
          ['GET', '/v1/regies', undefined, otherKey],
        ] as const) {
          const res = await api.request(method, path, { key: k, body });
          expect({ path, status: res.status, code: res.body.code }).toEqual({ path, status: 503, code: 'service_unavailable' });
          expect(res.headers.get('retry-after')).toBe('5');
          expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
          expect(res.body.detail).toBe('Le service est momentanément indisponible. Réessayez dans quelques instants.');
        }
        // The patient's page (a well-signed link: its notice is looked up) says so in HTML.
        const token = api.app.get(PatientLinkTokens).sign(randomUUID(), new Date(api.clock.now().getTime() + 86_400_000));
        const page = await fetch(`${api.url}/p/${token}`);
        expect(page.status).toBe(503);
        expect(await page.text()).toContain('Service momentanément indisponible');
      } finally {
        await relay.restore();
      }
      const back = await api.request('GET', `/v1/dossiers/${dossier.id}`, { key });
      expect(back.status).toBe(200);
    });

    it('answers 503 within the connection timeout when the database host drops packets instead of refusing', async () => {
      const dossier = await createDossier(api, key);
      relay.blackhole();
      try {
        // Pooled connections are cut; the request opens a new one that is never answered, and gives
        // up after the pool's connection timeout (10 s) instead of hanging.
        const started = Date.now();
        const res = await api.request('GET', `/v1/dossiers/${dossier.id}`, { key });
        expect({ status: res.status, code: res.body.code }).toEqual({ status: 503, code: 'service_unavailable' });
        expect(Date.now() - started).toBeLessThan(15_000);
      } finally {
        await relay.restore();
      }
      expect((await api.request('GET', `/v1/dossiers/${dossier.id}`, { key })).status).toBe(200);
    }, 45_000);
  });
});
