import { randomUUID } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { Browser, chromium } from 'playwright-core';
import { loadConfig } from '@diapason/config';
import { PatientLinkTokens } from '@diapason/notifier';
import { NoticeRepository, TransactionContext } from '@diapason/persistence';
import { createApiApp } from '../apps/api/src/bootstrap';
import { ApiHarness, TEST_ENV, startApi } from './support/api-harness';
import { createDossier, dossierBody, driveTo } from './support/fixtures';
import { freshDatabase } from './support/fresh-database';
import { freePort } from './support/test-database';

/** Issue 13, points 7 and 8: 405 with Allow, 401 before the body is read, security headers on every answer. */

/** A request fetch() cannot send (TRACE), or with a body of a chosen size. */
function rawRequest(url: string, method: string, headers: Record<string, string> = {}) {
  return new Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }>((resolve, reject) => {
    const req = httpRequest(url, { method, headers }, (res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk.toString()));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('HTTP hardening', () => {
  let api: ApiHarness;
  let key: string;

  beforeAll(async () => {
    api = await startApi();
    key = await api.createKey('CHU-HTTP');
  });
  afterAll(() => api.close());

  describe('a request to the GAP API without a known key is refused before its body is read', () => {
    it.each([
      ['a body over the size limit', 'x'.repeat(5 * 1024 * 1024), 'application/json'],
      ['malformed JSON', '{"gapDossierNumber": ', 'application/json'],
      ['JSON nested 100,000 levels deep', '['.repeat(100_000) + ']'.repeat(100_000), 'application/json'],
      ['a body that is not JSON', 'hello', 'text/plain'],
    ])('%s: 401, not 413, 400 or 415', async (_label, rawBody, type) => {
      for (const authorization of [undefined, 'Basic abc', 'Bearer court', 'Bearer dpk_avec espace', 'Bearer dpk_inconnue_de_diapason_0123456789']) {
        const headers: Record<string, string> = { 'content-type': type };
        if (authorization) headers.authorization = authorization;
        const res = await api.request('POST', '/v1/dossiers', { rawBody, headers });
        expect({ authorization, status: res.status }).toEqual({ authorization, status: 401 });
        expect(res.body.code).toBe('unauthorized');
        expect(res.headers.get('www-authenticate')).toBe('Bearer realm="diapason"');
      }
    });

    it('refuses every address under /v1 that way, known or not, whatever the case; with a key, unknown addresses are 404', async () => {
      for (const path of ['/v1/dossiers', '/V1/Dossiers', '/v1/nothing', '/v1']) {
        const res = await api.request('POST', path, { rawBody: '{', headers: { 'content-type': 'application/json' } });
        expect({ path, status: res.status }).toEqual({ path, status: 401 });
      }
      expect((await api.request('GET', '/v1/nothing', { key })).status).toBe(404);
    });

    it('leaves the public addresses alone: health, documentation, patient pages, provider callbacks', async () => {
      expect((await api.request('GET', '/health')).status).toBe(200);
      expect((await api.request('GET', '/docs-json')).status).toBe(200);
      expect((await api.request('GET', `/p/${'A'.repeat(43)}`)).status).toBe(404);
      const callback = await api.request('POST', '/callbacks/sms/status', {
        rawBody: 'MessageSid=SM1&MessageStatus=delivered',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      });
      expect(callback.status).not.toBe(401);
    });

    it('still lets a well-formed key through to the body checks', async () => {
      const res = await api.request('POST', '/v1/dossiers', {
        key,
        rawBody: '{"gapDossierNumber": ',
        headers: { 'content-type': 'application/json' },
      });
      expect(res.status).toBe(400);
      expect(res.body.code).toBe('malformed_json');
    });
  });

  describe('methods', () => {
    it.each([
      ['PATCH', '/v1/dossiers', 'GET, HEAD, OPTIONS, POST'],
      ['DELETE', '/v1/dossiers', 'GET, HEAD, OPTIONS, POST'],
      ['PUT', '/v1/dossiers/0190a4b2-0000-7000-8000-000000000001', 'GET, HEAD, OPTIONS'],
      ['GET', '/v1/dossiers/0190a4b2-0000-7000-8000-000000000001/cancel', 'OPTIONS, POST'],
      ['POST', '/v1/regies/REGIE-01', 'OPTIONS, PUT'],
      ['PATCH', '/v1/webhook-endpoints/0190a4b2-0000-7000-8000-000000000001', 'DELETE, OPTIONS'],
      ['DELETE', '/health', 'GET, HEAD, OPTIONS'],
      ['GET', '/callbacks/sms/status', 'OPTIONS, POST'],
    ])('%s %s: 405 problem with Allow: %s', async (method, path, allow) => {
      for (const withKey of [true, false]) {
        const res = await api.request(method, path, { key: withKey ? key : undefined });
        expect({ withKey, status: res.status }).toEqual({ withKey, status: 405 });
        expect(res.headers.get('allow')).toBe(allow);
        expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
        expect(res.body).toMatchObject({ status: 405, code: 'method_not_allowed', title: 'Méthode non autorisée' });
        expect(res.body.detail).toBe(`La méthode ${method} n’est pas acceptée à cette adresse (méthodes acceptées : ${allow}).`);
      }
    });

    it('answers TRACE with 405 too', async () => {
      const res = await rawRequest(`${api.url}/v1/dossiers`, 'TRACE', { authorization: `Bearer ${key}` });
      expect(res.status).toBe(405);
      expect(res.headers.allow).toBe('GET, HEAD, OPTIONS, POST');
      expect(JSON.parse(res.body)).toMatchObject({ code: 'method_not_allowed' });
    });

    it('answers OPTIONS on a known address with 204 and Allow, and keeps 404 for unknown addresses', async () => {
      const options = await api.request('OPTIONS', '/v1/dossiers/0190a4b2-0000-7000-8000-000000000001/imprints');
      expect(options.status).toBe(204);
      expect(options.headers.get('allow')).toBe('GET, HEAD, OPTIONS, POST');
      expect(options.text).toBe('');
      for (const method of ['PATCH', 'OPTIONS', 'GET']) {
        const res = await api.request(method, '/v2/nothing', { key });
        expect({ method, status: res.status }).toEqual({ method, status: 404 });
      }
    });

    it('changes nothing for the methods a route has, HEAD included', async () => {
      const dossier = await createDossier(api, key);
      expect((await fetch(`${api.url}/v1/dossiers/${dossier.id}`, { method: 'HEAD', headers: { authorization: `Bearer ${key}` } })).status).toBe(200);
      const created = await api.request('POST', '/v1/webhook-endpoints', { key, body: { url: 'https://93.184.215.14/hooks' } });
      expect(created.status).toBe(201);
      expect((await api.request('DELETE', `/v1/webhook-endpoints/${created.body.id}`, { key })).status).toBe(200);
    });
  });

  describe('security headers (helmet)', () => {
    const common = (headers: Headers) => {
      expect(headers.get('x-content-type-options')).toBe('nosniff');
      expect(headers.get('x-frame-options')).toBe('DENY');
      expect(headers.get('referrer-policy')).toBe('no-referrer');
      expect(headers.get('x-powered-by')).toBeNull();
      // The public URL of the harness is http: no HSTS.
      expect(headers.get('strict-transport-security')).toBeNull();
    };

    it('on API answers and problems: nosniff, and a policy that loads nothing', async () => {
      const answers = [
        await api.request('GET', '/v1/dossiers', { key }),
        await api.request('GET', '/v1/dossiers'),
        await api.request('POST', '/v1/dossiers', { key, body: dossierBody({ patient: {} }) }),
        await api.request('GET', '/v2/nothing'),
        await api.request('PATCH', '/v1/dossiers', { key }),
        await api.request('GET', '/health'),
      ];
      expect(answers.map((a) => a.status)).toEqual([200, 401, 400, 404, 405, 200]);
      for (const answer of answers) {
        common(answer.headers);
        expect(answer.headers.get('content-security-policy')).toBe("default-src 'none';frame-ancestors 'none';base-uri 'none';form-action 'none'");
      }
    });

    it('on the patient page: its own headers kept, nosniff added; its error pages and pixel too', async () => {
      const dossier = await createDossier(api, key);
      await driveTo(api, dossier.id, 'payment_requested');
      const [{ establishment_id: establishmentId }] = await api.dataSource.query('SELECT establishment_id FROM dossier WHERE id = $1', [dossier.id]);
      const tx = api.app.get(TransactionContext);
      const notice = await tx.run(() =>
        api.app.get(NoticeRepository).ensure({
          id: randomUUID(),
          dossierId: dossier.id,
          establishmentId,
          channel: 'sms',
          recipient: '+33639980101',
          createdAt: api.clock.now(),
        }),
      );
      const token = api.app.get(PatientLinkTokens).sign(notice.id, new Date('2027-01-01T00:00:00Z'));

      const page = await api.request('GET', `/p/${token}`);
      expect(page.status).toBe(200);
      expect(page.headers.get('content-type')).toMatch(/^text\/html/);
      common(page.headers);
      expect(page.headers.get('cache-control')).toBe('no-store');
      expect(page.headers.get('content-security-policy')).toBe("default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; base-uri 'none'");

      const missing = await api.request('GET', `/p/${'A'.repeat(43)}`);
      expect(missing.status).toBe(404);
      common(missing.headers);
      expect(missing.headers.get('content-security-policy')).toContain("default-src 'none';style-src 'unsafe-inline'");

      const pixel = await api.request('GET', `/p/${token}/o.gif`);
      expect(pixel.status).toBe(200);
      common(pixel.headers);
      // Mail clients show it from their own origin.
      expect(pixel.headers.get('cross-origin-resource-policy')).toBe('cross-origin');
    });

    it('on the documentation, whose page still works under its policy (headless Chromium)', async () => {
      const json = await api.request('GET', '/docs-json');
      common(json.headers);
      const ui = await api.request('GET', '/docs');
      expect(ui.status).toBe(200);
      common(ui.headers);
      const csp = ui.headers.get('content-security-policy')!;
      expect(csp).toContain("script-src 'self'");
      expect(csp).not.toContain('unsafe-eval');

      let browser: Browser | undefined;
      try {
        browser = await chromium.launch({
          executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
          args: [
            '--no-sandbox',
            '--disable-gpu',
            '--no-first-run',
            '--disable-background-networking',
            '--disable-component-update',
            '--disable-sync',
          ],
        });
        const page = await browser.newPage();
        const refused: string[] = [];
        page.on('console', (message) => {
          if (/Content Security Policy|Refused to/i.test(message.text())) refused.push(message.text());
        });
        await page.goto(`${api.url}/docs`);
        await page.waitForSelector('.swagger-ui .info .title', { timeout: 20_000 });
        expect(await page.textContent('.swagger-ui .info .title')).toContain('DIAPASON');
        await page.waitForSelector('.opblock-tag', { timeout: 10_000 });
        expect(refused).toEqual([]);
      } finally {
        await browser?.close();
      }
    });
  });
});

describe('HSTS behind HTTPS', () => {
  let app: NestExpressApplication;
  let database: { url: string; drop(): Promise<void> };
  let base: string;

  beforeAll(async () => {
    database = await freshDatabase();
    const port = await freePort();
    const config = loadConfig({
      ...TEST_ENV,
      PORT: String(port),
      DATABASE_URL: database.url,
      DIAPASON_PUBLIC_URL: 'https://diapason.chu-exemple.fr',
    });
    app = await createApiApp(config);
    await app.listen(port, '127.0.0.1');
    base = `http://127.0.0.1:${port}`;
  });
  afterAll(async () => {
    await app.close();
    await database.drop();
  });

  it('sends Strict-Transport-Security on every answer when the public address is https', async () => {
    for (const path of ['/health', '/v1/dossiers', '/docs', `/p/${'A'.repeat(43)}`]) {
      const res = await fetch(`${base}${path}`);
      expect({ path, hsts: res.headers.get('strict-transport-security') }).toEqual({ path, hsts: 'max-age=31536000; includeSubDomains' });
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    }
  });
});
