import { DOSSIER_STATUSES, DossierStatus } from '@diapason/domain';
import { ApiHarness, startApi } from './support/api-harness';
import { createDossier, dossierBody, driveTo } from './support/fixtures';

describe('GAP API — dossiers', () => {
  let api: ApiHarness;
  let key: string;
  let otherKey: string;

  beforeAll(async () => {
    api = await startApi();
    key = await api.createKey('CHU-A', 'CHU de A');
    otherKey = await api.createKey('CH-B', 'CH de B');
  });
  afterAll(() => api.close());

  const countDossiers = async () => Number((await api.dataSource.query('SELECT count(*) AS n FROM dossier'))[0].n);

  describe('creation', () => {
    it('creates a dossier awaiting its imprint, phone normalised to E.164', async () => {
      const body = dossierBody({ patient: { lastName: 'Durand', firstName: 'Léa', phone: '06.39.98.01.02', email: 'lea@example.test' } });
      const res = await api.request('POST', '/v1/dossiers', { key, body });
      expect(res.status).toBe(201);
      expect(res.body).toMatchObject({
        object: 'dossier',
        status: 'awaiting_imprint',
        statusLabel: "En attente d'empreinte",
        category: 'in_progress',
        categoryLabel: 'Dossier en cours',
        gapDossierNumber: body.gapDossierNumber,
        regieCode: 'REGIE-01',
        patient: { lastName: 'Durand', firstName: 'Léa', phone: '+33639980102', email: 'lea@example.test' },
        admissionDate: '2026-11-20',
        imprint: null,
        paymentRequest: null,
        createdAt: '2026-11-23T09:00:00.000Z',
      });
      expect(res.body.id).toMatch(/^[0-9a-f-]{36}$/);
      const again = await api.request('GET', `/v1/dossiers/${res.body.id}`, { key });
      expect(again.status).toBe(200);
      expect(again.body).toEqual(res.body);
    });

    it('accepts an e-mail address alone, or a phone number alone', async () => {
      for (const patient of [
        { lastName: 'A', firstName: 'B', email: 'ab@example.test' },
        { lastName: 'A', firstName: 'B', phone: '+33 6 39 98 01 03' },
      ]) {
        const res = await api.request('POST', '/v1/dossiers', { key, body: dossierBody({ patient }) });
        expect(res.status).toBe(201);
      }
    });

    it.each([
      ['no way to reach the patient', { patient: { lastName: 'A', firstName: 'B' } }, 'patient.phone', /téléphone ou une adresse e-mail/],
      ['a phone that is not one', { patient: { lastName: 'A', firstName: 'B', phone: '0612' } }, 'patient.phone', /téléphone invalide/],
      ['a bad e-mail', { patient: { lastName: 'A', firstName: 'B', email: 'nope@' } }, 'patient.email', /e-mail invalide/],
      ['an empty last name', { patient: { lastName: ' ', firstName: 'B', email: 'a@example.test' } }, 'patient.lastName', /vide/],
      ['a number for a string', { gapDossierNumber: 12345 }, 'gapDossierNumber', /chaîne/],
      ['a missing patient', { patient: undefined }, 'patient', /objet/],
      ['an array for the patient', { patient: ['x'] }, 'patient', /objet/],
      ['an impossible date', { admissionDate: '2026-02-30' }, 'admissionDate', /date invalide/],
      ['an unknown field', { favouriteColour: 'blue' }, 'favouriteColour', /non reconnu/],
      ['a régie code with spaces', { regieCode: 'REGIE 01' }, 'regieCode', /format/],
      ['a huge name', { patient: { lastName: 'x'.repeat(101), firstName: 'B', email: 'a@example.test' } }, 'patient.lastName', /100/],
    ])('refuses %s with a French problem naming the field', async (_label, overrides, field, message) => {
      const before = await countDossiers();
      const res = await api.request('POST', '/v1/dossiers', { key, body: dossierBody(overrides) });
      expect(res.status).toBe(400);
      expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(res.body).toMatchObject({ status: 400, code: 'validation_failed', title: 'Requête invalide', instance: '/v1/dossiers' });
      expect(res.body.type).toBe('urn:diapason:problem:validation-failed');
      const error = res.body.errors.find((e: { field: string }) => e.field === field);
      expect(error).toBeDefined();
      expect(error.message).toMatch(message);
      expect(await countDossiers()).toBe(before);
    });

    it('answers malformed JSON, wrong media types and huge bodies with 4xx problems, storing nothing', async () => {
      const before = await countDossiers();
      const malformed = await api.request('POST', '/v1/dossiers', {
        key,
        rawBody: '{"gapDossierNumber": ',
        headers: { 'content-type': 'application/json' },
      });
      expect(malformed.status).toBe(400);
      expect(malformed.body.code).toBe('malformed_json');
      expect(malformed.body.requestId).toBe(malformed.headers.get('x-request-id'));

      const text = await api.request('POST', '/v1/dossiers', { key, rawBody: 'hello', headers: { 'content-type': 'text/plain' } });
      expect(text.status).toBe(415);
      expect(text.body.code).toBe('unsupported_media_type');

      const huge = await api.request('POST', '/v1/dossiers', {
        key,
        body: dossierBody({ patient: { lastName: 'x'.repeat(200_000), firstName: 'B', email: 'a@example.test' } }),
      });
      expect(huge.status).toBe(413);
      expect(huge.body.code).toBe('payload_too_large');

      for (const rawBody of ['null', '[]', '"text"', '42']) {
        const res = await api.request('POST', '/v1/dossiers', { key, rawBody, headers: { 'content-type': 'application/json' } });
        expect(res.status).toBeGreaterThanOrEqual(400);
        expect(res.status).toBeLessThan(500);
      }
      expect(await countDossiers()).toBe(before);
    });

    it('refuses a second live dossier for the same GAP number, and allows one after cancellation', async () => {
      const first = await createDossier(api, key, { gapDossierNumber: 'GAP-DUP-1' });
      const second = await api.request('POST', '/v1/dossiers', { key, body: dossierBody({ gapDossierNumber: 'GAP-DUP-1' }) });
      expect(second.status).toBe(409);
      expect(second.body).toMatchObject({ code: 'duplicate_active_dossier', existingDossierId: first.id });

      const otherTenant = await api.request('POST', '/v1/dossiers', { key: otherKey, body: dossierBody({ gapDossierNumber: 'GAP-DUP-1' }) });
      expect(otherTenant.status).toBe(201);

      await api.request('POST', `/v1/dossiers/${first.id}/cancel`, { key, body: { reason: 'erreur de saisie' } });
      const third = await api.request('POST', '/v1/dossiers', { key, body: dossierBody({ gapDossierNumber: 'GAP-DUP-1' }) });
      expect(third.status).toBe(201);
    });
  });

  describe('authentication and tenancy', () => {
    it('answers 401 without a key, with a malformed header or an unknown key', async () => {
      for (const headers of [{}, { authorization: 'Basic abc' }, { authorization: 'Bearer dpk_unknownunknownunknown' }] as Record<string, string>[]) {
        const res = await api.request('GET', '/v1/dossiers', { headers });
        expect(res.status).toBe(401);
        expect(res.body.code).toBe('unauthorized');
        expect(res.headers.get('www-authenticate')).toMatch(/^Bearer/);
      }
    });

    it("never shows another establishment's dossier: 404 everywhere, absent from lists", async () => {
      const mine = await createDossier(api, key);
      for (const [method, path, body] of [
        ['GET', `/v1/dossiers/${mine.id}`, undefined],
        ['GET', `/v1/dossiers/${mine.id}/events`, undefined],
        ['POST', `/v1/dossiers/${mine.id}/cancel`, { reason: 'x' }],
        ['POST', `/v1/dossiers/${mine.id}/payment-request`, { amountCents: 100 }],
      ] as const) {
        const res = await api.request(method, path, { key: otherKey, body });
        expect(res.status).toBe(404);
        expect(res.body.code).toBe('dossier_not_found');
      }
      const list = await api.request('GET', '/v1/dossiers?limit=100', { key: otherKey });
      expect(list.body.data.map((d: { id: string }) => d.id)).not.toContain(mine.id);
      const byNumber = await api.request('GET', `/v1/dossiers?gapDossierNumber=${mine.gapDossierNumber}`, { key: otherKey });
      expect(byNumber.body.data).toEqual([]);
      expect((await api.request('GET', `/v1/dossiers/${mine.id}`, { key })).body.status).toBe('awaiting_imprint');
    });

    it('answers 404 for an id that is not a UUID', async () => {
      const res = await api.request('GET', '/v1/dossiers/not-a-uuid', { key });
      expect(res.status).toBe(404);
    });
  });

  describe('listing', () => {
    it('pages newest first with an opaque cursor and filters by status and GAP number', async () => {
      const listKey = await api.createKey('CH-LIST');
      const created: string[] = [];
      for (let i = 0; i < 5; i += 1) created.push((await createDossier(api, listKey)).id);
      await api.request('POST', `/v1/dossiers/${created[1]}/cancel`, { key: listKey, body: { reason: 'test' } });

      const seen: string[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const query: string = cursor ? `?limit=2&cursor=${cursor}` : '?limit=2';
        const res = await api.request('GET', `/v1/dossiers${query}`, { key: listKey });
        expect(res.status).toBe(200);
        expect(res.body.data.length).toBeLessThanOrEqual(2);
        seen.push(...res.body.data.map((d: { id: string }) => d.id));
        cursor = res.body.nextCursor;
        pages += 1;
      } while (cursor);
      expect(pages).toBe(3);
      expect(seen).toEqual([...created].reverse());

      const cancelled = await api.request('GET', '/v1/dossiers?status=cancelled', { key: listKey });
      expect(cancelled.body.data.map((d: { id: string }) => d.id)).toEqual([created[1]]);
      const gap = (await api.request('GET', `/v1/dossiers/${created[3]}`, { key: listKey })).body.gapDossierNumber;
      const byNumber = await api.request('GET', `/v1/dossiers?gapDossierNumber=${gap}`, { key: listKey });
      expect(byNumber.body.data.map((d: { id: string }) => d.id)).toEqual([created[3]]);
      const def = await api.request('GET', '/v1/dossiers', { key: listKey });
      expect(def.body.nextCursor).toBeNull();
    });

    it.each([
      ['limit=0', 'limit'],
      ['limit=101', 'limit'],
      ['limit=abc', 'limit'],
      ['status=done', 'status'],
      ['cursor=%%%', 'cursor'],
      ['cursor=eyJpZCI6MX0', 'cursor'],
      ['unknown=1', 'unknown'],
    ])('refuses %s', async (query, field) => {
      const res = await api.request('GET', `/v1/dossiers?${query}`, { key });
      expect(res.status).toBe(400);
      expect(res.body.errors.map((e: { field: string }) => e.field)).toContain(field);
    });
  });

  describe('payment request', () => {
    it('is refused before the imprint, naming the current status', async () => {
      const dossier = await createDossier(api, key);
      const res = await api.request('POST', `/v1/dossiers/${dossier.id}/payment-request`, { key, body: { amountCents: 1000 } });
      expect(res.status).toBe(409);
      expect(res.body).toMatchObject({ code: 'invalid_transition', currentStatus: 'awaiting_imprint' });
      expect(res.body.detail).toMatch(/awaiting_imprint/);
    });

    it('checks 0 < amount ≤ ceiling, in integer cents', async () => {
      const dossier = await createDossier(api, key);
      await driveTo(api, dossier.id, 'imprinted', 5000);
      for (const amountCents of [0, -5, 12.5, '1000', null]) {
        const res = await api.request('POST', `/v1/dossiers/${dossier.id}/payment-request`, { key, body: { amountCents } });
        expect(res.status).toBe(400);
        expect(res.body.errors[0].field).toBe('amountCents');
      }
      const above = await api.request('POST', `/v1/dossiers/${dossier.id}/payment-request`, { key, body: { amountCents: 5001 } });
      expect(above.status).toBe(422);
      expect(above.body).toMatchObject({ code: 'amount_exceeds_ceiling', ceilingCents: 5000, amountCents: 5001 });
      expect(above.body.detail).toContain('50,00 €');
      expect((await api.request('GET', `/v1/dossiers/${dossier.id}`, { key })).body.status).toBe('imprinted');

      const ok = await api.request('POST', `/v1/dossiers/${dossier.id}/payment-request`, {
        key,
        body: { amountCents: 5000, invoiceReference: 'FAC-1' },
      });
      expect(ok.status).toBe(200);
      expect(ok.body).toMatchObject({
        status: 'payment_requested',
        paymentRequest: { amountCents: 5000, invoiceReference: 'FAC-1', late: false, requestedAt: api.clock.now().toISOString() },
        warnings: [],
      });
      const again = await api.request('POST', `/v1/dossiers/${dossier.id}/payment-request`, { key, body: { amountCents: 100 } });
      expect(again.status).toBe(409);
      expect(again.body.currentStatus).toBe('payment_requested');
    });

    it('accepts a late request but flags it', async () => {
      const dossier = await createDossier(api, key);
      await driveTo(api, dossier.id, 'imprinted', 5000);
      const started = api.clock.now();
      api.clock.advance(api.config.delays.imprintValidityMs - api.config.delays.completionDelayMs + 60_000);
      try {
        const res = await api.request('POST', `/v1/dossiers/${dossier.id}/payment-request`, { key, body: { amountCents: 1000 } });
        expect(res.status).toBe(200);
        expect(res.body.paymentRequest.late).toBe(true);
        expect(res.body.warnings).toEqual([expect.objectContaining({ code: 'late_payment_request' })]);
      } finally {
        api.clock.set(started);
      }
    });
  });

  describe('cancellation', () => {
    it('cancels until the debit is sent, with the reason in the dossier and its events', async () => {
      const dossier = await createDossier(api, key);
      await driveTo(api, dossier.id, 'acknowledged');
      const res = await api.request('POST', `/v1/dossiers/${dossier.id}/cancel`, { key, body: { reason: 'patient_choice' } });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({
        status: 'cancelled',
        category: 'cancelled',
        categoryLabel: 'Annulation du dossier',
        cancellation: { reason: 'patient_choice' },
      });
      expect(res.body.closedAt).toBe(api.clock.now().toISOString());
    });

    it('requires a reason', async () => {
      const dossier = await createDossier(api, key);
      const res = await api.request('POST', `/v1/dossiers/${dossier.id}/cancel`, { key, body: {} });
      expect(res.status).toBe(400);
      expect(res.body.errors[0].field).toBe('reason');
    });
  });

  describe('refused transitions answer 409 with the current status', () => {
    const cancellable: DossierStatus[] = ['awaiting_imprint', 'imprinted', 'payment_requested', 'acknowledged'];
    it.each(DOSSIER_STATUSES.filter((s) => !cancellable.includes(s)))('cancel from %s', async (status) => {
      const dossier = await createDossier(api, key);
      await driveTo(api, dossier.id, status);
      const res = await api.request('POST', `/v1/dossiers/${dossier.id}/cancel`, { key, body: { reason: 'x' } });
      expect(res.status).toBe(409);
      expect(res.body).toMatchObject({ code: 'invalid_transition', currentStatus: status, event: 'cancelled' });
      expect((await api.request('GET', `/v1/dossiers/${dossier.id}`, { key })).body.status).toBe(status);
    });

    it.each(DOSSIER_STATUSES.filter((s) => s !== 'imprinted'))('payment request from %s', async (status) => {
      const dossier = await createDossier(api, key);
      await driveTo(api, dossier.id, status);
      const res = await api.request('POST', `/v1/dossiers/${dossier.id}/payment-request`, { key, body: { amountCents: 100 } });
      expect(res.status).toBe(409);
      expect(res.body).toMatchObject({ code: 'invalid_transition', currentStatus: status });
    });
  });

  describe('events', () => {
    it('lists the creation and every transition with actor and details, oldest first', async () => {
      const dossier = await createDossier(api, key);
      await driveTo(api, dossier.id, 'imprinted', 3000);
      await api.request('POST', `/v1/dossiers/${dossier.id}/payment-request`, { key, body: { amountCents: 2500 } });
      await api.request('POST', `/v1/dossiers/${dossier.id}/cancel`, { key, body: { reason: 'gap_decision' } });
      const res = await api.request('GET', `/v1/dossiers/${dossier.id}/events`, { key });
      expect(res.status).toBe(200);
      expect(res.body.data.map((e: { type: string }) => e.type)).toEqual([
        'dossier.created',
        'dossier.imprinted',
        'dossier.payment_requested',
        'dossier.cancelled',
      ]);
      const [created, , requested, cancelled] = res.body.data;
      expect(created).toMatchObject({ fromStatus: null, toStatus: 'awaiting_imprint', actor: { type: 'gap' } });
      expect(requested).toMatchObject({
        fromStatus: 'imprinted',
        toStatus: 'payment_requested',
        details: { amountCents: 2500, late: false },
        actor: { type: 'gap' },
      });
      expect(cancelled.details).toEqual({ reason: 'gap_decision' });
      expect(typeof created.at).toBe('string');
    });

    it('is append-only in the database itself', async () => {
      const dossier = await createDossier(api, key);
      await expect(api.dataSource.query(`UPDATE dossier_event SET type = 'x' WHERE dossier_id = $1`, [dossier.id])).rejects.toThrow(/append-only/);
      await expect(api.dataSource.query(`DELETE FROM dossier_event WHERE dossier_id = $1`, [dossier.id])).rejects.toThrow(/append-only/);
    });
  });

  describe('idempotency', () => {
    it('replays the first answer for the same key and body, and creates one dossier', async () => {
      const body = dossierBody();
      const headers = { 'idempotency-key': 'create-once-1' };
      const first = await api.request('POST', '/v1/dossiers', { key, body, headers });
      const second = await api.request('POST', '/v1/dossiers', { key, body, headers });
      expect(first.status).toBe(201);
      expect(second.status).toBe(201);
      expect(second.text).toBe(first.text);
      expect(second.headers.get('idempotent-replayed')).toBe('true');
      const list = await api.request('GET', `/v1/dossiers?gapDossierNumber=${String(body.gapDossierNumber)}`, { key });
      expect(list.body.data).toHaveLength(1);
    });

    it('refuses the same key with another body (422) or on another endpoint', async () => {
      const headers = { 'idempotency-key': 'create-once-2' };
      await api.request('POST', '/v1/dossiers', { key, body: dossierBody(), headers });
      const other = await api.request('POST', '/v1/dossiers', { key, body: dossierBody(), headers });
      expect(other.status).toBe(422);
      expect(other.body.code).toBe('idempotency_key_reused');
    });

    it('keeps keys per establishment', async () => {
      const headers = { 'idempotency-key': 'shared-key' };
      const a = await api.request('POST', '/v1/dossiers', { key, body: dossierBody(), headers });
      const b = await api.request('POST', '/v1/dossiers', { key: otherKey, body: dossierBody(), headers });
      expect(a.status).toBe(201);
      expect(b.status).toBe(201);
      expect(b.body.id).not.toBe(a.body.id);
    });

    it('gives one answer to concurrent retries of the same request', async () => {
      const body = dossierBody();
      const headers = { 'idempotency-key': 'concurrent-1' };
      const answers = await Promise.all(Array.from({ length: 10 }, () => api.request('POST', '/v1/dossiers', { key, body, headers })));
      expect(new Set(answers.map((a) => a.status))).toEqual(new Set([201]));
      expect(new Set(answers.map((a) => a.body.id)).size).toBe(1);
    });

    it('does not keep a key whose request failed, so a corrected retry can use it', async () => {
      const dossier = await createDossier(api, key);
      await driveTo(api, dossier.id, 'imprinted', 1000);
      const headers = { 'idempotency-key': 'pay-1' };
      const tooMuch = await api.request('POST', `/v1/dossiers/${dossier.id}/payment-request`, { key, body: { amountCents: 2000 }, headers });
      expect(tooMuch.status).toBe(422);
      const ok = await api.request('POST', `/v1/dossiers/${dossier.id}/payment-request`, { key, body: { amountCents: 900 }, headers });
      expect(ok.status).toBe(200);
      const replay = await api.request('POST', `/v1/dossiers/${dossier.id}/payment-request`, { key, body: { amountCents: 900 }, headers });
      expect(replay.status).toBe(200);
      expect(replay.text).toBe(ok.text);
    });

    it('refuses a malformed key', async () => {
      const res = await api.request('POST', '/v1/dossiers', { key, body: dossierBody(), headers: { 'idempotency-key': 'é'.repeat(3) } });
      expect(res.status).toBe(400);
      expect(res.body.code).toBe('invalid_idempotency_key');
    });
  });

  describe('service', () => {
    it('reports the database in /health', async () => {
      const res = await api.request('GET', '/health');
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ status: 'ok', database: { status: 'up' } });
    });

    it('serves the OpenAPI document and its UI', async () => {
      const json = await api.request('GET', '/docs-json');
      expect(json.status).toBe(200);
      expect(Object.keys(json.body.paths)).toEqual(
        expect.arrayContaining([
          '/v1/dossiers',
          '/v1/dossiers/{id}',
          '/v1/dossiers/{id}/events',
          '/v1/dossiers/{id}/cancel',
          '/v1/dossiers/{id}/payment-request',
        ]),
      );
      const ui = await api.request('GET', '/docs');
      expect(ui.status).toBe(200);
      expect(ui.text).toMatch(/swagger/i);
    });

    it('answers unknown routes with a problem', async () => {
      const res = await api.request('GET', '/v2/nothing');
      expect(res.status).toBe(404);
      expect(res.headers.get('content-type')).toMatch(/problem\+json/);
    });
  });
});
