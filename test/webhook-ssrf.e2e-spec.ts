import { Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { HostLookup } from '@diapason/notifier';
import { ApiHarness, startApi } from './support/api-harness';
import { createDossier } from './support/fixtures';
import { freePort } from './support/test-database';
import { WorkerHarness, startWorker } from './support/worker-harness';

/**
 * Issue 13, point 1: a GAP key registered internal addresses as webhooks and read the worker's
 * attempts (refused, closed, 400) as a port scanner. Every URL of the attack is now refused at
 * registration, and an address that changes at send time (DNS rebinding) gets no connection.
 *
 * No traffic leaves loopback: names resolve through the suite's own table (the `HostLookup` the
 * API and the worker are given), the private network listed (10.20.0.0/16) is only ever resolved
 * at registration, and the workers never list it.
 */

/** The suite's DNS: one table for the API and the workers, changed between registration and sending. */
const dns = new Map<string, string[]>();
const hostLookup: HostLookup = async (hostname) => {
  const addresses = dns.get(hostname.toLowerCase());
  if (!addresses) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' });
  return addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
};

/** A TCP listener on loopback that counts connections; `silent` accepts and never answers. */
async function listener(silent = false): Promise<{ port: number; connections: () => number; requests: string[]; stop(): Promise<void> }> {
  let connections = 0;
  const requests: string[] = [];
  const server: Server = createServer((req, res) => {
    requests.push(`${req.method} ${req.url}`);
    if (!silent) res.writeHead(204).end();
  }).on('connection', () => (connections += 1));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    connections: () => connections,
    requests,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

describe('webhooks: server-side request forgery (issue 13, point 1)', () => {
  let api: ApiHarness;
  let worker: WorkerHarness;

  beforeAll(async () => {
    // The operator lists a hospital network (not loopback): the production shape.
    api = await startApi({ env: { DIAPASON_WEBHOOK_ALLOWED_NETWORKS: '10.20.0.0/16' }, hostLookup });
    // This worker lists nothing: it would connect to no private network even if a name resolved there.
    worker = await startWorker({ databaseUrl: api.databaseUrl, clock: api.clock, env: { DIAPASON_WEBHOOK_ALLOWED_NETWORKS: '' }, hostLookup });
  });
  afterAll(async () => {
    await worker?.close();
    await api?.close();
  });

  const register = (key: string, url: string) => api.request('POST', '/v1/webhook-endpoints', { key, body: { url } });

  it('refuses every destination of the attack at registration (422 naming `url`), without connecting', async () => {
    const key = await api.createKey('CH-SSRF-1');
    const target = await listener();
    dns.set('gap.chu.example', ['93.184.215.14']);
    dns.set('gap.loopback.test', ['127.0.0.1']);
    dns.set('gap.half.test', ['93.184.215.14', '::1']);
    dns.set('gap.metadata.test', ['169.254.169.254']);
    const port = target.port;
    const attacks: [string, RegExp][] = [
      [`http://127.0.0.1:${port}/`, /bouclage/],
      [`http://localhost:${port}/`, /localhost/],
      [`http://LocalHost.:${port}/`, /localhost/],
      [`http://[::1]:${port}/`, /bouclage/],
      [`http://0.0.0.0:${port}/`, /non spécifiée/],
      [`http://[::]:${port}/`, /non spécifiée/],
      [`http://0x7f000001:${port}/`, /bouclage/],
      [`http://2130706433:${port}/`, /bouclage/],
      [`http://0177.0.0.1:${port}/`, /bouclage/],
      [`http://127.1:${port}/`, /bouclage/],
      [`http://[::ffff:127.0.0.1]:${port}/`, /bouclage/],
      ['http://169.254.169.254/latest/meta-data/', /métadonnées/],
      ['http://[::ffff:169.254.169.254]/latest/meta-data/', /métadonnées/],
      ['http://[fd00:ec2::254]/latest/meta-data/', /métadonnées/],
      ['http://metadata.google.internal/computeMetadata/v1/', /métadonnées/],
      ['https://gap.metadata.test/', /métadonnées/],
      ['http://[fe80::1]/', /lien local/],
      ['http://224.0.0.251/', /multidiffusion/],
      ['http://user:pass@gap.chu.example/hooks', /identifiants/],
      ['https://user:pass@gap.chu.example/hooks', /identifiants/],
      [`https://gap.loopback.test:${port}/`, /bouclage/],
      [`https://gap.half.test:${port}/`, /bouclage/],
      ['https://192.168.1.1/', /réseau privé/],
      ['https://10.21.0.1/', /réseau privé/],
      ['https://[fc00::1]/', /réseau privé/],
      ['http://gap.chu.example/hooks', /https obligatoire/],
      ['https://nowhere.test/', /ne se résout pas/],
    ];
    try {
      for (const [url, reason] of attacks) {
        const res = await register(key, url);
        expect({ url, status: res.status, code: res.body.code }).toEqual({ url, status: 422, code: 'webhook_destination_refused' });
        expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
        expect(res.body.detail).toMatch(/^Adresse de webhook refusée : /);
        expect(res.body.errors).toEqual([{ field: 'url', message: expect.stringMatching(reason) }]);
      }
      expect((await api.request('GET', '/v1/webhook-endpoints', { key })).body.data).toEqual([]);
      expect(target.connections()).toBe(0);
    } finally {
      await target.stop();
    }
  });

  it('accepts a listed private network over http, and the public Internet over https only', async () => {
    const key = await api.createKey('CH-SSRF-2');
    dns.set('gap.chu.lan', ['10.20.0.5']);
    dns.set('gap.chu.example', ['93.184.215.14']);
    const created: string[] = [];
    try {
      for (const [url, normalised] of [
        ['http://10.20.0.5:8080/hooks', 'http://10.20.0.5:8080/hooks'],
        ['http://GAP.chu.lan/diapason', 'http://gap.chu.lan/diapason'],
        ['https://10.20.3.4', 'https://10.20.3.4/'],
        ['https://gap.chu.example/hooks', 'https://gap.chu.example/hooks'],
      ]) {
        const res = await register(key, url);
        expect({ url, status: res.status }).toEqual({ url, status: 201 });
        expect(res.body.url).toBe(normalised);
        created.push(res.body.id);
      }
      expect((await register(key, 'http://10.21.0.5/')).body.errors[0].message).toMatch(/réseau privé/);
      // Stored as normalised: a URL that percent-encoding lengthens past the column is a 400, not a 500.
      const long = await register(key, `https://gap.chu.example/${'é'.repeat(200)}`);
      expect(long.status).toBe(400);
      expect(long.body.errors).toEqual([{ field: 'url', message: expect.stringMatching(/au plus 500 caractères une fois normalisé/) }]);
    } finally {
      // No dossier of this establishment exists, so nothing was sent; the endpoints go anyway.
      for (const id of created) expect((await api.request('DELETE', `/v1/webhook-endpoints/${id}`, { key })).status).toBe(200);
    }
  });

  it('allows at most 20 endpoints per establishment (409), even when registrations race', async () => {
    const key = await api.createKey('CH-SSRF-3');
    const url = (i: number) => `http://10.20.1.${i}/hooks`;
    const ids: string[] = [];
    try {
      for (let i = 1; i <= 18; i += 1) {
        const res = await register(key, url(i));
        expect(res.status).toBe(201);
        ids.push(res.body.id);
      }
      const race = await Promise.all([19, 20, 21, 22, 23].map((i) => register(key, url(i))));
      expect(race.map((r) => r.status).sort()).toEqual([201, 201, 409, 409, 409]);
      ids.push(...race.filter((r) => r.status === 201).map((r) => r.body.id));
      const refused = await register(key, url(24));
      expect(refused.status).toBe(409);
      expect(refused.body).toMatchObject({ code: 'webhook_endpoint_limit_reached', limit: 20 });
      expect(refused.body.detail).toMatch(/déjà 20 abonnements/);
      expect((await api.request('GET', '/v1/webhook-endpoints', { key })).body.data).toHaveLength(20);
      // Another establishment is not counted against this one.
      const other = await api.createKey('CH-SSRF-4');
      const elsewhere = await register(other, url(1));
      expect(elsewhere.status).toBe(201);
      await api.request('DELETE', `/v1/webhook-endpoints/${elsewhere.body.id}`, { key: other });
      // A deleted endpoint frees its place.
      await api.request('DELETE', `/v1/webhook-endpoints/${ids.pop()}`, { key });
      const again = await register(key, url(25));
      expect(again.status).toBe(201);
      ids.push(again.body.id);
    } finally {
      for (const id of ids) await api.request('DELETE', `/v1/webhook-endpoints/${id}`, { key });
    }
  });

  it('refuses at send time a name that now resolves to loopback (DNS rebinding): « refusé », no connection, ports not told apart', async () => {
    const key = await api.createKey('CH-SSRF-5');
    const open = await listener();
    const silent = await listener(true);
    const closedPort = await freePort();
    const targets = { open: open.port, silent: silent.port, closed: closedPort };
    try {
      // Registration: the names point into the listed hospital network.
      const endpoints: Record<string, string> = {};
      for (const [name, port] of Object.entries(targets)) {
        dns.set(`gap-${name}.rebind.test`, [`10.20.9.${port % 250}`]);
        const res = await register(key, `http://gap-${name}.rebind.test:${port}/hooks`);
        expect(res.status).toBe(201);
        endpoints[name] = res.body.id;
      }
      // Send time: the same names now answer loopback, where the ports really are.
      for (const name of Object.keys(targets)) dns.set(`gap-${name}.rebind.test`, ['127.0.0.1']);
      await createDossier(api, key);
      await worker.tick();

      const attempts: Record<string, unknown> = {};
      for (const [name, id] of Object.entries(endpoints)) {
        const deliveries = (await api.request('GET', `/v1/webhook-endpoints/${id}/deliveries`, { key })).body.data;
        expect(deliveries).toHaveLength(1);
        expect(deliveries[0]).toMatchObject({ status: 'pending', lastStatusCode: null, lastError: 'refusé' });
        attempts[name] = deliveries[0].attempts.map((a: { statusCode: unknown; error: unknown }) => ({ statusCode: a.statusCode, error: a.error }));
      }
      // Open, silent and closed ports: the same record, and not one connection.
      const same = [{ statusCode: null, error: 'refusé' }];
      expect(attempts).toEqual({ open: same, silent: same, closed: same });
      expect(open.connections() + silent.connections()).toBe(0);

      // The control: a worker whose operator lists loopback reaches the same server, so the
      // refusal above was the policy's, not an empty port's.
      const listing = await startWorker({
        databaseUrl: api.databaseUrl,
        clock: api.clock,
        env: { DIAPASON_WEBHOOK_ALLOWED_NETWORKS: '127.0.0.1/32', DIAPASON_WEBHOOK_TIMEOUT: '1s' },
        hostLookup,
      });
      try {
        api.clock.advance(11_000);
        await listing.tick();
      } finally {
        await listing.close();
      }
      expect(open.requests).toEqual(['POST /hooks']);
      const delivered = (await api.request('GET', `/v1/webhook-endpoints/${endpoints.open}/deliveries`, { key })).body.data[0];
      expect(delivered).toMatchObject({ status: 'delivered', lastStatusCode: 204 });
      expect(delivered.attempts.map((a: { error: unknown }) => a.error)).toEqual(['refusé', null]);
    } finally {
      for (const name of Object.keys(targets)) dns.delete(`gap-${name}.rebind.test`);
      await open.stop();
      await silent.stop();
    }
  });

  it('refuses at send time an endpoint stored before the policy existed (credentials, loopback by address)', async () => {
    const key = await api.createKey('CH-SSRF-6');
    const target = await listener();
    try {
      const res = await register(key, `http://10.20.0.9:${target.port}/hooks`);
      expect(res.status).toBe(201);
      // As a row written before this fix would read: an address the policy now refuses.
      await api.dataSource.query(`UPDATE webhook_endpoint SET url = $2 WHERE id = $1`, [res.body.id, `http://127.0.0.1:${target.port}/hooks`]);
      const second = await register(key, 'http://10.20.0.10/hooks');
      await api.dataSource.query(`UPDATE webhook_endpoint SET url = $2 WHERE id = $1`, [
        second.body.id,
        `http://user:pass@127.0.0.1:${target.port}/`,
      ]);
      await createDossier(api, key);
      await worker.tick();
      for (const id of [res.body.id, second.body.id]) {
        const [delivery] = (await api.request('GET', `/v1/webhook-endpoints/${id}/deliveries`, { key })).body.data;
        expect(delivery.attempts).toEqual([expect.objectContaining({ statusCode: null, error: 'refusé' })]);
      }
      expect(target.connections()).toBe(0);
    } finally {
      await target.stop();
    }
  });
});
