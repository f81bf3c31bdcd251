import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import fc from 'fast-check';
import { Agent, request } from 'undici';
import { loadConfig } from '@diapason/config';
import { DestinationPolicy, HostLookup, REFUSED_ATTEMPT, WebhookDestinations, isDestinationRefused } from './webhook-destinations';

const none = new DestinationPolicy([]);
const lan = new DestinationPolicy(['10.20.0.0/16', '192.168.1.10/32', 'fd12:3456::/48', '127.0.0.1/32']);

const reasonOf = (policy: DestinationPolicy, address: string): string | null => {
  const verdict = policy.address(address);
  return verdict.allowed ? null : verdict.reason;
};

const octet = fc.integer({ min: 0, max: 255 });
const ipv4In = (first: number, second?: fc.Arbitrary<number>) =>
  fc.tuple(second ?? octet, octet, octet).map(([b, c, d]) => `${first}.${b}.${c}.${d}`);
const hextet = fc.integer({ min: 0, max: 0xffff }).map((n) => n.toString(16));

describe('DestinationPolicy: addresses', () => {
  it.each([
    ['127.0.0.1', /bouclage/],
    ['127.255.0.9', /bouclage/],
    ['::1', /bouclage/],
    ['::ffff:127.0.0.1', /bouclage/],
    ['0.0.0.0', /non spécifiée/],
    ['::', /non spécifiée/],
    ['169.254.169.254', /métadonnées/],
    ['::ffff:169.254.169.254', /métadonnées/],
    ['fd00:ec2::254', /métadonnées/],
    ['100.100.100.200', /métadonnées/],
    ['169.254.1.1', /lien local/],
    ['fe80::1', /lien local/],
    ['224.0.0.1', /multidiffusion/],
    ['255.255.255.255', /diffusion/],
    ['ff02::1', /multidiffusion/],
    ['10.0.0.1', /réseau privé/],
    ['172.16.5.4', /réseau privé/],
    ['192.168.0.1', /réseau privé/],
    ['100.64.0.1', /réseau privé/],
    ['fc00::1', /réseau privé/],
    ['::ffff:10.0.0.1', /réseau privé/],
    ['64:ff9b::7f00:1', /réseau privé/],
    ['::7f00:1', /réseau privé/],
    ['2002:7f00:1::', /réseau privé/],
    ['192.0.2.1', /réseau privé/],
  ])('refuses %s by default', (address, reason) => {
    expect(reasonOf(none, address)).toMatch(reason);
  });

  it.each(['93.184.215.14', '2606:4700::1111', '::ffff:93.184.215.14'])('accepts the public address %s, over https only', (address) => {
    expect(none.address(address)).toEqual({ allowed: true, listed: false });
    expect(none.admits(address, 'https:')).toBe(true);
    expect(none.admits(address, 'http:')).toBe(false);
  });

  it('accepts a listed private network, over http too, and nothing next to it', () => {
    expect(lan.address('10.20.3.4')).toEqual({ allowed: true, listed: true });
    expect(lan.admits('10.20.3.4', 'http:')).toBe(true);
    expect(lan.admits('::ffff:10.20.3.4', 'http:')).toBe(true);
    expect(lan.admits('fd12:3456::9', 'http:')).toBe(true);
    expect(lan.admits('192.168.1.10', 'http:')).toBe(true);
    expect(reasonOf(lan, '192.168.1.11')).toMatch(/réseau privé/);
    expect(reasonOf(lan, '10.21.0.1')).toMatch(/réseau privé/);
  });

  it('opens loopback only to a listed network inside the loopback range', () => {
    expect(lan.admits('127.0.0.1', 'http:')).toBe(true);
    expect(reasonOf(lan, '127.0.0.2')).toMatch(/bouclage/);
    expect(reasonOf(lan, '::1')).toMatch(/bouclage/);
    const everything = new DestinationPolicy(['0.0.0.0/0', '::/0']);
    expect(reasonOf(everything, '127.0.0.1')).toMatch(/bouclage/);
    expect(reasonOf(everything, '::1')).toMatch(/bouclage/);
    expect(everything.admits('10.1.2.3', 'http:')).toBe(true);
  });

  it('never opens unspecified, link-local, multicast or metadata addresses, whatever is listed', () => {
    const all = new DestinationPolicy(['0.0.0.0/0', '::/0', '169.254.0.0/16', 'fd00::/8', '100.64.0.0/10', '224.0.0.0/4']);
    const forbidden = fc.oneof(
      ipv4In(0),
      ipv4In(169, fc.constant(254)),
      fc.integer({ min: 224, max: 239 }).chain((first) => ipv4In(first)),
      fc.constantFrom('255.255.255.255', 'fd00:ec2::254', '100.100.100.200', '::', '::ffff:169.254.169.254'),
      fc.tuple(hextet, hextet).map(([a, b]) => `fe80::${a}:${b}`),
      fc.tuple(hextet, hextet).map(([a, b]) => `ff0e::${a}:${b}`),
    );
    fc.assert(
      fc.property(forbidden, (address) => {
        expect(all.address(address).allowed).toBe(false);
        expect(all.admits(address, 'https:')).toBe(false);
      }),
    );
  });

  it('judges an IPv4-mapped IPv6 address as the IPv4 address it carries', () => {
    fc.assert(
      fc.property(fc.tuple(octet, octet, octet, octet), (octets) => {
        const v4 = octets.join('.');
        for (const policy of [none, lan]) expect(policy.address(`::ffff:${v4}`)).toEqual(policy.address(v4));
      }),
    );
  });

  it('refuses every private address unless its network is listed', () => {
    const privates = fc.oneof(
      ipv4In(10),
      ipv4In(172, fc.integer({ min: 16, max: 31 })),
      ipv4In(192, fc.constant(168)),
      ipv4In(100, fc.integer({ min: 64, max: 127 })),
      fc.tuple(hextet, hextet).map(([a, b]) => `fd99::${a}:${b}`),
    );
    fc.assert(
      fc.property(privates, (address) => {
        expect(none.address(address).allowed).toBe(false);
        expect(new DestinationPolicy(address.includes(':') ? ['fc00::/7'] : [`${address}/32`]).admits(address, 'http:')).toBe(true);
      }),
    );
  });
});

describe('DestinationPolicy: URLs', () => {
  it.each([
    ['http://user:pass@gap.example/', /identifiants/],
    ['https://user@gap.example/', /identifiants/],
    ['https://:secret@gap.example/', /identifiants/],
    ['http://localhost:8080/', /localhost/],
    ['http://LOCALHOST./', /localhost/],
    ['http://api.localhost/', /api\.localhost/],
    ['http://metadata.google.internal/computeMetadata/v1/', /metadata\.google\.internal/],
    ['http://metadata/', /metadata/],
    ['ftp://gap.example/', /https/],
    ['not a url', /illisible/],
  ])('refuses %s from the URL alone', (url, reason) => {
    const verdict = none.url(url);
    expect(verdict.allowed ? null : verdict.reason).toMatch(reason);
  });

  it.each([
    ['http://0x7f000001/', '127.0.0.1'],
    ['http://2130706433/', '127.0.0.1'],
    ['http://0177.0.0.1/', '127.0.0.1'],
    ['http://127.1/', '127.0.0.1'],
    ['http://[::ffff:127.0.0.1]/', '[::ffff:7f00:1]'],
  ])('reads %s as the WHATWG parser does (%s), and so refuses it on its address', (url, host) => {
    const verdict = none.url(url);
    expect(verdict.allowed && verdict.url.hostname).toBe(host);
    if (verdict.allowed) expect(none.resolved(verdict.url, [host.replace(/^\[(.*)\]$/, '$1')]).allowed).toBe(false);
  });

  it('requires https unless every address is listed', () => {
    const url = (text: string) => (none.url(text) as { url: URL }).url;
    expect(lan.resolved(url('http://gap.chu.lan/'), ['10.20.0.5'])).toMatchObject({ allowed: true });
    expect(lan.resolved(url('http://gap.chu.lan/'), ['10.20.0.5', '93.184.215.14'])).toMatchObject({ allowed: false, reason: /https obligatoire/ });
    expect(lan.resolved(url('https://gap.chu.example/'), ['10.20.0.5', '93.184.215.14'])).toMatchObject({ allowed: true });
    expect(lan.resolved(url('https://gap.chu.example/'), ['93.184.215.14', '127.0.0.2'])).toMatchObject({ allowed: false, reason: /bouclage/ });
    expect(none.resolved(url('https://gap.chu.example/'), [])).toMatchObject({ allowed: false, reason: /ne se résout pas/ });
  });
});

describe('WebhookDestinations', () => {
  const config = (networks: string) =>
    loadConfig({ DIAPASON_WEBHOOK_ALLOWED_NETWORKS: networks, DIAPASON_TOKEN_SECRET: 'x'.repeat(32), SMTP_URL: 'smtp://127.0.0.1:1' });
  const table: Record<string, string[]> = {};
  const lookup: HostLookup = async (hostname) => {
    const addresses = table[hostname];
    if (!addresses) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' });
    return addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
  };

  it('resolves names at registration and normalises the URL', async () => {
    const destinations = new WebhookDestinations(config('10.20.0.0/16'), lookup);
    table['gap.chu.lan'] = ['10.20.0.5'];
    table['gap.chu.example'] = ['93.184.215.14', '2606:4700::1111'];
    table['rebind.example'] = ['93.184.215.14', '127.0.0.1'];
    expect(await destinations.vet('http://GAP.chu.lan:8080/hooks')).toMatchObject({ allowed: true, url: { href: 'http://gap.chu.lan:8080/hooks' } });
    expect(await destinations.vet('https://gap.chu.example')).toMatchObject({ allowed: true, url: { href: 'https://gap.chu.example/' } });
    expect(await destinations.vet('http://gap.chu.example/')).toMatchObject({ allowed: false, reason: /https obligatoire/ });
    expect(await destinations.vet('https://rebind.example/')).toMatchObject({ allowed: false, reason: /bouclage/ });
    expect(await destinations.vet('https://unknown.example/')).toMatchObject({ allowed: false, reason: /ne se résout pas/ });
    expect(await destinations.vet('http://10.20.9.9/')).toMatchObject({ allowed: true });
    expect(await destinations.vet('http://10.21.9.9/')).toMatchObject({ allowed: false, reason: /réseau privé/ });
  });

  it('connects only to admitted addresses: a name resolving to loopback at send time gets no connection', async () => {
    let connections = 0;
    const server = createServer((_req, res) => res.writeHead(204).end()).on('connection', () => (connections += 1));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    const send = async (networks: string, url: string) => {
      const agent = new Agent({ connect: new WebhookDestinations(config(networks), lookup).connector() });
      try {
        const response = await request(url, { method: 'POST', body: '{}', dispatcher: agent, signal: AbortSignal.timeout(5_000) });
        await response.body.dump();
        return response.statusCode;
      } catch (error) {
        return isDestinationRefused(error) ? REFUSED_ATTEMPT : (error as Error).message;
      } finally {
        await agent.close();
      }
    };
    try {
      table['gap.rebound.test'] = ['127.0.0.1'];
      expect(await send('', `http://gap.rebound.test:${port}/`)).toBe(REFUSED_ATTEMPT);
      expect(await send('', `https://gap.rebound.test:${port}/`)).toBe(REFUSED_ATTEMPT);
      expect(await send('', `http://127.0.0.1:${port}/`)).toBe(REFUSED_ATTEMPT);
      expect(await send('', `http://[::ffff:127.0.0.1]:${port}/`)).toBe(REFUSED_ATTEMPT);
      // Loopback listed but http to an unlisted network: still no connection.
      table['gap.mixed.test'] = ['127.0.0.1', '93.184.215.14'];
      expect(await send('127.0.0.1/32', `http://gap.mixed.test:${port}/`)).toBe(REFUSED_ATTEMPT);
      expect(connections).toBe(0);
      // The control: listed, the same server is reached, by name and by address.
      expect(await send('127.0.0.1/32', `http://gap.rebound.test:${port}/`)).toBe(204);
      expect(await send('127.0.0.1/32', `http://127.0.0.1:${port}/`)).toBe(204);
      expect(connections).toBe(2);
    } finally {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
