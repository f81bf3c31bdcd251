import { Client } from 'pg';
import { API_KEY_SCOPES, ApiKeyScope, createDataSource } from '@diapason/persistence';
import { ApiKeyScopes1795564721695 } from '../migrations/1795564721695-api-key-scopes';
import { ApiHarness, startApi } from './support/api-harness';
import { createDossier, dossierBody } from './support/fixtures';
import { freshDatabase } from './support/fresh-database';
import { runProcess } from './support/processes';

/** Issue 13, point 3 (scoped keys) and point 8 (invalid keys rate-limited per address). */

const CLI = 'dist/apps/cli/src/main.js';

interface Call {
  method: string;
  path: string;
  scope: 'dossiers' | 'terminals' | 'webhooks';
  /** Sent to writes: invalid on purpose, so an allowed call stops at validation (400) and changes nothing. */
  body?: unknown;
}

describe('GAP API keys — scopes', () => {
  let api: ApiHarness;
  let dossierId: string;
  const keys = {} as Record<string, string>;

  beforeAll(async () => {
    api = await startApi();
    const all = await api.createKey('CHU-SCOPES');
    dossierId = (await createDossier(api, all)).id;
    for (const scopes of [['dossiers'], ['terminals'], ['webhooks'], ['read_only'], ['dossiers', 'read_only']] as ApiKeyScope[][]) {
      keys[scopes.join(',')] = await api.createKey('CHU-SCOPES', undefined, scopes);
    }
  });
  afterAll(() => api.close());

  const CALLS: Call[] = [
    { method: 'GET', path: '/v1/dossiers', scope: 'dossiers' },
    { method: 'POST', path: '/v1/dossiers', scope: 'dossiers', body: {} },
    { method: 'GET', path: '/v1/regies', scope: 'dossiers' },
    { method: 'PUT', path: '/v1/regies/REGIE-01', scope: 'dossiers', body: { name: 42 } },
    { method: 'GET', path: '/v1/alerts', scope: 'dossiers' },
    { method: 'GET', path: '/v1/terminals', scope: 'terminals' },
    { method: 'POST', path: '/v1/terminals', scope: 'terminals', body: {} },
    { method: 'GET', path: '/v1/webhook-endpoints', scope: 'webhooks' },
    { method: 'POST', path: '/v1/webhook-endpoints', scope: 'webhooks', body: {} },
  ];

  const allows = (granted: string[], call: Call) =>
    granted.includes(call.scope) || (granted.includes('read_only') && (call.method === 'GET' || call.method === 'HEAD'));

  it.each(['dossiers', 'terminals', 'webhooks', 'read_only', 'dossiers,read_only'])(
    'a key with scopes %s calls what they grant and gets a French 403 naming the scope elsewhere',
    async (scopes) => {
      const granted = scopes.split(',');
      for (const call of CALLS) {
        const res = await api.request(call.method, call.path, { key: keys[scopes], body: call.body });
        const where = `${scopes} ${call.method} ${call.path}`;
        if (allows(granted, call)) {
          expect({ where, status: res.status }).toEqual({ where, status: call.body === undefined ? 200 : 400 });
          continue;
        }
        expect({ where, status: res.status }).toEqual({ where, status: 403 });
        expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
        expect(res.body).toMatchObject({ status: 403, code: 'insufficient_scope', title: 'Accès refusé', scope: call.scope });
        expect(res.body.detail).toContain(`Cette clé d’API n’a pas la portée « ${call.scope} » requise.`);
        expect(res.headers.get('www-authenticate')).toBe(`Bearer realm="diapason", error="insufficient_scope", scope="${call.scope}"`);
      }
    },
  );

  it('lets a read_only key read every area but refuses its writes, saying why', async () => {
    const key = keys.read_only;
    expect((await api.request('GET', `/v1/dossiers/${dossierId}`, { key })).status).toBe(200);
    expect((await api.request('GET', `/v1/dossiers/${dossierId}/events`, { key })).status).toBe(200);
    expect((await fetch(`${api.url}/v1/terminals`, { method: 'HEAD', headers: { authorization: `Bearer ${key}` } })).status).toBe(200);

    const before = await api.dataSource.query('SELECT count(*)::int AS n FROM dossier');
    for (const [path, body] of [
      ['/v1/dossiers', dossierBody()],
      [`/v1/dossiers/${dossierId}/cancel`, { reason: 'lecture seule' }],
    ] as const) {
      const res = await api.request('POST', path, { key, body });
      expect(res.status).toBe(403);
      expect(res.body).toMatchObject({ code: 'insufficient_scope', scope: 'dossiers' });
      expect(res.body.detail).toBe(
        'Cette clé d’API n’a pas la portée « dossiers » requise. La portée « read_only » ne permet que les lectures (GET).',
      );
    }
    expect(await api.dataSource.query('SELECT count(*)::int AS n FROM dossier')).toEqual(before);
    expect((await api.request('GET', `/v1/dossiers/${dossierId}`, { key })).body.status).toBe('awaiting_imprint');
  });

  it('checks the scope after the key: an unknown key is 401 whatever the route', async () => {
    const res = await api.request('POST', '/v1/terminals', { key: 'dpk_unknownunknownunknown', body: {} });
    expect(res.status).toBe(401);
  });

  it('documents the scope of every private operation (x-diapason-scope and its description), and the 403', async () => {
    const doc = (await api.request('GET', '/docs-json')).body as {
      info: { description: string };
      paths: Record<string, Record<string, { security?: unknown; description?: string; responses: Record<string, unknown> }>>;
    };
    expect(doc.info.description).toContain('--scopes');
    for (const scope of API_KEY_SCOPES) expect(doc.info.description).toContain(`\`${scope}\``);
    let count = 0;
    for (const [path, item] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(item) as [string, Record<string, unknown>][]) {
        if (!op.security) continue;
        count += 1;
        const scope = op['x-diapason-scope'];
        expect({ path, method, scope: ['dossiers', 'terminals', 'webhooks', 'accounting'].includes(scope as string) }).toEqual({
          path,
          method,
          scope: true,
        });
        expect(op.description).toContain(
          method === 'get' ? `Portée de clé requise : \`${scope as string}\` ou \`read_only\`.` : `Portée de clé requise : \`${scope as string}\`.`,
        );
        expect({ path, method, documented: ['401', '403', '429'].filter((s) => s in (op.responses as object)) }).toEqual({
          path,
          method,
          documented: ['401', '403', '429'],
        });
      }
    }
    expect(count).toBeGreaterThanOrEqual(19);
    expect(doc.paths['/v1/terminals/{id}/check'].post['x-diapason-scope' as never]).toBe('terminals');
    expect(doc.paths['/v1/dossiers/{id}/imprints'].post['x-diapason-scope' as never]).toBe('dossiers');
    expect(doc.paths['/v1/regies/{code}'].put['x-diapason-scope' as never]).toBe('dossiers');
  });
});

describe('diapason api-key:create --scopes', () => {
  let database: { url: string; drop(): Promise<void> };
  let pg: Client;
  beforeAll(async () => {
    database = await freshDatabase();
    pg = new Client({ connectionString: database.url });
    await pg.connect();
  });
  afterAll(async () => {
    await pg.end();
    await database.drop();
  });

  const env = () => ({ NODE_ENV: 'test', LOG_LEVEL: 'warn', DATABASE_URL: database.url });
  const scopesOf = async (key: string) =>
    (await pg.query<{ scopes: string[] }>(`SELECT scopes FROM api_key WHERE key_prefix = $1`, [key.slice(0, 12)])).rows[0]?.scopes;

  it('gives a new key the scope dossiers by default, as before for the dossiers', async () => {
    const res = await runProcess(CLI, ['api-key:create', 'CH-SCOPES'], env());
    expect(res.code).toBe(0);
    expect(res.stdout).toMatch(/^dpk_[A-Za-z0-9_-]{43}\n$/);
    expect(res.stderr).toContain('portées : dossiers');
    expect(await scopesOf(res.stdout.trim())).toEqual(['dossiers']);
  });

  it('stores the scopes given, each once, in a fixed order', async () => {
    const res = await runProcess(CLI, ['api-key:create', 'CH-SCOPES', '--scopes', 'terminals, read_only,dossiers,terminals'], env());
    expect(res.code).toBe(0);
    expect(res.stderr).toContain('portées : dossiers, terminals, read_only');
    expect(await scopesOf(res.stdout.trim())).toEqual(['dossiers', 'terminals', 'read_only']);
  });

  it.each([
    [
      ['--scopes', 'dossiers,compta'],
      /^Portée inconnue : « compta » \(portées possibles : dossiers, terminals, webhooks, accounting, read_only\)\.$/m,
    ],
    [['--scopes', 'admin,all'], /^Portées inconnues : « admin », « all »/m],
    [['--scopes', ' , '], /^Aucune portée dans --scopes/m],
    [['--scopes'], /l’option --scopes <portées> attend une valeur/],
  ])('refuses %j with a French usage error (exit code 2), creating no key', async (args, message) => {
    const before = (await pg.query('SELECT count(*)::int AS n FROM api_key')).rows[0].n;
    const res = await runProcess(CLI, ['api-key:create', 'CH-SCOPES', ...args], env());
    expect(res.code).toBe(2);
    expect(res.stdout).toBe('');
    expect(res.stderr).toMatch(message);
    expect((await pg.query('SELECT count(*)::int AS n FROM api_key')).rows[0].n).toBe(before);
  });

  it('lists the scopes in its help', async () => {
    const res = await runProcess(CLI, ['api-key:create', '--help'], env());
    expect(res.code).toBe(0);
    for (const scope of API_KEY_SCOPES) expect(res.stdout).toContain(`${scope} :`);
  });
});

describe('api_key.scopes in the database', () => {
  it('gives keys made before the scopes every scope that grants something, and refuses unknown or empty scopes', async () => {
    const database = await freshDatabase();
    const dataSource = createDataSource({ url: database.url, poolSize: 1, applicationName: 'api-keys-spec' });
    await dataSource.initialize();
    const runner = dataSource.createQueryRunner();
    try {
      const migration = new ApiKeyScopes1795564721695();
      await migration.down(runner);
      await runner.query(`INSERT INTO establishment (id, code, name) VALUES (gen_random_uuid(), 'CH-OLD', 'CH ancien')`);
      await runner.query(
        `INSERT INTO api_key (id, establishment_id, key_hash, key_prefix) SELECT gen_random_uuid(), id, repeat('a', 64), 'dpk_old' FROM establishment`,
      );
      await migration.up(runner);
      expect((await runner.query(`SELECT scopes FROM api_key`))[0].scopes).toEqual(['dossiers', 'terminals', 'webhooks']);

      const insert = (scopes: string) =>
        runner.query(
          `INSERT INTO api_key (id, establishment_id, key_hash, key_prefix, scopes)
           SELECT gen_random_uuid(), id, repeat(md5(random()::text), 2), 'dpk_new', $1::text[] FROM establishment`,
          [scopes],
        );
      await expect(insert('{accounting}')).rejects.toThrow(/api_key_scopes_known/);
      await expect(insert('{}')).rejects.toThrow(/api_key_scopes_known/);
      await expect(
        runner.query(
          `INSERT INTO api_key (id, establishment_id, key_hash, key_prefix) SELECT gen_random_uuid(), id, repeat('b', 64), 'x' FROM establishment`,
        ),
      ).rejects.toThrow(/null value in column "scopes"/);
    } finally {
      await runner.release();
      await dataSource.destroy();
      await database.drop();
    }
  });
});

describe('invalid keys, rate-limited per client address', () => {
  const unknownKey = (n: number) => `dpk_unknown${String(n).padStart(12, '0')}`;

  describe('behind a trusted proxy (DIAPASON_TRUST_PROXY=loopback)', () => {
    let api: ApiHarness;
    let key: string;
    beforeAll(async () => {
      api = await startApi({ env: { DIAPASON_INVALID_KEY_LIMIT: '3', DIAPASON_INVALID_KEY_WINDOW: '3s', DIAPASON_TRUST_PROXY: 'loopback' } });
      key = await api.createKey('CHU-LIMIT');
    });
    afterAll(() => api.close());

    const from = (address: string, headers: Record<string, string> = {}) => ({ 'x-forwarded-for': address, ...headers });

    it('answers 429 with Retry-After once an address has sent too many invalid keys, until the window ends; valid keys keep working', async () => {
      for (let n = 0; n < 3; n += 1) {
        const res = await api.request('GET', '/v1/dossiers', { headers: from('198.51.100.7', { authorization: `Bearer ${unknownKey(n)}` }) });
        expect(res.status).toBe(401);
      }
      const refused = await api.request('GET', '/v1/dossiers', { headers: from('198.51.100.7', { authorization: `Bearer ${unknownKey(3)}` }) });
      expect(refused.status).toBe(429);
      expect(refused.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(refused.body).toMatchObject({ status: 429, code: 'too_many_invalid_keys', title: 'Trop de requêtes' });
      expect(refused.body.detail).toMatch(/^Trop de clés d’API invalides depuis cette adresse : réessayez dans \d+ s\./);
      const retryAfter = Number(refused.headers.get('retry-after'));
      expect(retryAfter).toBeGreaterThanOrEqual(1);
      expect(retryAfter).toBeLessThanOrEqual(3);

      // The same address with a valid key: served. Another address: still a plain 401.
      expect((await api.request('GET', '/v1/dossiers', { key, headers: from('198.51.100.7') })).status).toBe(200);
      expect((await api.request('GET', '/v1/dossiers', { headers: from('198.51.100.8', { authorization: `Bearer ${unknownKey(4)}` }) })).status).toBe(
        401,
      );
      // A missing key is not a guess: 401, not counted.
      expect((await api.request('GET', '/v1/dossiers', { headers: from('198.51.100.7') })).status).toBe(401);

      await new Promise((resolve) => setTimeout(resolve, retryAfter * 1000 + 200));
      expect((await api.request('GET', '/v1/dossiers', { headers: from('198.51.100.7', { authorization: `Bearer ${unknownKey(5)}` }) })).status).toBe(
        401,
      );
    });
  });

  describe('without a trusted proxy (default)', () => {
    let api: ApiHarness;
    beforeAll(async () => {
      api = await startApi({ env: { DIAPASON_INVALID_KEY_LIMIT: '3', DIAPASON_INVALID_KEY_WINDOW: '1m' } });
    });
    afterAll(() => api.close());

    it('counts by the connection’s address, whatever X-Forwarded-For claims', async () => {
      const statuses: number[] = [];
      for (let n = 0; n < 5; n += 1) {
        const res = await api.request('POST', '/v1/dossiers', {
          body: dossierBody(),
          headers: { authorization: `Bearer ${unknownKey(n)}`, 'x-forwarded-for': `203.0.113.${n}` },
        });
        statuses.push(res.status);
      }
      expect(statuses).toEqual([401, 401, 401, 429, 429]);
    });
  });
});
