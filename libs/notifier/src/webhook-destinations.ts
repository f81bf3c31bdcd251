import { lookup as dnsLookup } from 'node:dns/promises';
import { LookupFunction, isIP } from 'node:net';
import { Inject, Injectable } from '@nestjs/common';
import ipaddr from 'ipaddr.js';
import { buildConnector } from 'undici';
import type { DiapasonConfig } from '@diapason/config';
import { InjectConfig } from '@diapason/config';

/**
 * Where webhooks may go (server-side request forgery): a GAP key chooses the URL the worker POSTs
 * to, so the destination is checked when the endpoint is registered (early, readable refusal) and
 * again on every address the worker's socket is about to connect to (the check that counts: DNS
 * can answer differently at send time). Addresses are classified with ipaddr.js.
 *
 * - never: unspecified (0.0.0.0/8, ::), link-local (169.254.0.0/16, fe80::/10, which holds the
 *   cloud metadata services), multicast and broadcast, the cloud metadata addresses outside those
 *   ranges (fd00:ec2::254, 100.100.100.200, 168.63.129.16), even when a listed network covers them;
 * - loopback (127.0.0.0/8, ::1): only when a network listed in DIAPASON_WEBHOOK_ALLOWED_NETWORKS
 *   lies inside the loopback range itself (tests and the demo list 127.0.0.1/32; 0.0.0.0/0 does not
 *   open it);
 * - private and reserved ranges (RFC 1918, 100.64.0.0/10, fc00::/7, documentation, NAT64, 6to4,
 *   IPv4-compatible IPv6…): only when a listed network covers the address;
 * - the public Internet (IPv4 unicast, IPv6 2000::/3 unicast): yes, over https; http only towards a
 *   listed network.
 *
 * IPv4-mapped IPv6 (`::ffff:127.0.0.1`) is judged as the IPv4 address it carries. Odd IPv4
 * notations (`0x7f000001`, `2130706433`, `0177.0.0.1`) are normalised by the WHATWG URL parser
 * before anything else reads them, and the checks read only the parsed URL.
 */

/** Resolves a host name to all of its addresses: the system resolver, or a test's. */
export type HostLookup = (hostname: string) => Promise<readonly { address: string; family: number }[]>;

export const HOST_LOOKUP = Symbol('HOST_LOOKUP');

export const systemHostLookup: HostLookup = (hostname) => dnsLookup(hostname, { all: true, order: 'verbatim' });

/** What an attempt to a refused destination records: the same for open, closed and silent ports. */
export const REFUSED_ATTEMPT = 'refusé';

/** How long registration waits for a name to resolve. */
const REGISTRATION_LOOKUP_MS = 5_000;

type Ip = ipaddr.IPv4 | ipaddr.IPv6;
type Network = [Ip, number];

const network = (cidr: string): Network => ipaddr.parseCIDR(cidr);

const FORBIDDEN: readonly { reason: string; networks: readonly Network[] }[] = [
  // Before link-local, which holds most of them, so that the reason names them.
  {
    reason: 'adresse d’un service de métadonnées du nuage',
    networks: ['169.254.169.254/32', '169.254.170.2/32', 'fd00:ec2::254/128', '100.100.100.200/32', '168.63.129.16/32'].map(network),
  },
  { reason: 'adresse non spécifiée (0.0.0.0, ::)', networks: ['0.0.0.0/8', '::/128'].map(network) },
  { reason: 'adresse de lien local (169.254.0.0/16, fe80::/10)', networks: ['169.254.0.0/16', 'fe80::/10'].map(network) },
  { reason: 'adresse de multidiffusion ou de diffusion', networks: ['224.0.0.0/4', '255.255.255.255/32', 'ff00::/8'].map(network) },
];

const LOOPBACK: readonly Network[] = ['127.0.0.0/8', '::1/128'].map(network);
const GLOBAL_UNICAST_V6 = network('2000::/3');

/** Host names that are loopback or a cloud metadata service whatever the resolver says. */
const RESERVED_NAMES = new Set(['localhost', 'metadata', 'metadata.google.internal', 'metadata.goog', 'instance-data', 'instance-data.ec2.internal']);

const inNetwork = (ip: Ip, [base, bits]: Network): boolean => ip.kind() === base.kind() && ip.match(base, bits);
const insideOf = ([base, bits]: Network, outer: Network): boolean => bits >= outer[1] && inNetwork(base, outer);

const isPublic = (ip: Ip): boolean => ip.range() === 'unicast' && (ip.kind() === 'ipv4' || inNetwork(ip, GLOBAL_UNICAST_V6));

export type AddressVerdict = { allowed: true; listed: boolean } | { allowed: false; reason: string };

export type DestinationVerdict = { allowed: true; url: URL } | { allowed: false; reason: string };

const refused = (reason: string): { allowed: false; reason: string } => ({ allowed: false, reason });

const HTTPS_REQUIRED = 'https obligatoire : http n’est accepté que vers un réseau listé dans DIAPASON_WEBHOOK_ALLOWED_NETWORKS';

/** The rules above, for one configuration; pure (no I/O). */
export class DestinationPolicy {
  private readonly listed: readonly Network[];

  /** @param allowedNetworks CIDR networks, as `DIAPASON_WEBHOOK_ALLOWED_NETWORKS` gives them. */
  constructor(allowedNetworks: readonly string[]) {
    this.listed = allowedNetworks.map(network);
  }

  /** May a socket connect to this address? `listed`: it is in a listed network (http accepted). */
  address(text: string): AddressVerdict {
    if (!ipaddr.isValid(text)) return refused('adresse IP illisible');
    let ip: Ip = ipaddr.parse(text);
    if (ip.kind() === 'ipv6' && (ip as ipaddr.IPv6).isIPv4MappedAddress()) ip = (ip as ipaddr.IPv6).toIPv4Address();
    const forbidden = FORBIDDEN.find((f) => f.networks.some((n) => inNetwork(ip, n)));
    if (forbidden) return refused(`${forbidden.reason}, toujours refusée`);
    const covering = this.listed.filter((n) => inNetwork(ip, n));
    if (LOOPBACK.some((n) => inNetwork(ip, n))) {
      return covering.some((n) => LOOPBACK.some((loopback) => insideOf(n, loopback)))
        ? { allowed: true, listed: true }
        : refused('adresse de bouclage (localhost, 127.0.0.0/8, ::1) refusée');
    }
    if (covering.length > 0) return { allowed: true, listed: true };
    if (isPublic(ip)) return { allowed: true, listed: false };
    return refused('adresse d’un réseau privé ou réservé, non listé dans DIAPASON_WEBHOOK_ALLOWED_NETWORKS');
  }

  /** The same, for a connection over `protocol` (http needs a listed network). */
  admits(address: string, protocol: string): boolean {
    const verdict = this.address(address);
    return verdict.allowed && (protocol === 'https:' || verdict.listed);
  }

  /** What can be told from the URL alone: scheme, credentials, host names reserved for loopback or metadata. */
  url(text: string): DestinationVerdict {
    const url = URL.parse(text);
    if (!url) return refused('adresse illisible');
    if (url.protocol !== 'https:' && url.protocol !== 'http:')
      return refused('seules les adresses https:// (ou http:// vers un réseau listé) sont acceptées');
    if (url.username !== '' || url.password !== '') return refused('identifiants dans l’adresse (utilisateur:mot de passe@) refusés');
    const host = hostOf(url);
    if (isIP(host) === 0) {
      const name = host.toLowerCase().replace(/\.$/, '');
      if (name === '' || RESERVED_NAMES.has(name) || name.endsWith('.localhost')) {
        return refused(`nom réservé au bouclage ou aux métadonnées du nuage (${name || 'vide'}), refusé`);
      }
    }
    return { allowed: true, url };
  }

  /** The verdict on a URL whose host resolves to `addresses` (the URL has passed `url()`). */
  resolved(url: URL, addresses: readonly string[]): DestinationVerdict {
    if (addresses.length === 0) return refused(`le nom ${hostOf(url)} ne se résout pas`);
    for (const address of addresses) {
      const verdict = this.address(address);
      if (!verdict.allowed) return verdict;
      if (url.protocol === 'http:' && !verdict.listed) return refused(HTTPS_REQUIRED);
    }
    return { allowed: true, url };
  }
}

/** The host of a URL as a socket sees it: IPv6 without brackets. */
function hostOf(url: URL): string {
  return url.hostname.replace(/^\[(.*)\]$/, '$1');
}

/** Raised instead of connecting to a refused address; the attempt records « refusé », nothing more. */
export class DestinationRefused extends Error {
  readonly code = 'ERR_WEBHOOK_DESTINATION_REFUSED';

  constructor() {
    super(REFUSED_ATTEMPT);
    this.name = 'DestinationRefused';
  }
}

export const isDestinationRefused = (error: unknown): boolean =>
  error instanceof DestinationRefused || (error instanceof Error && error.cause instanceof DestinationRefused);

/** The destination policy of this process's configuration, with its resolver. */
@Injectable()
export class WebhookDestinations {
  readonly policy: DestinationPolicy;

  constructor(
    @InjectConfig() config: DiapasonConfig,
    @Inject(HOST_LOOKUP) private readonly lookup: HostLookup,
  ) {
    this.policy = new DestinationPolicy(config.webhooks.allowedNetworks);
  }

  /**
   * Registration: the URL, then every address its host resolves to now. Gives the normalised URL
   * (what the worker will read) or the reason of the refusal (French).
   */
  async vet(text: string): Promise<DestinationVerdict> {
    const parsed = this.policy.url(text);
    if (!parsed.allowed) return parsed;
    const host = hostOf(parsed.url);
    if (isIP(host) !== 0) return this.policy.resolved(parsed.url, [host]);
    let timer: NodeJS.Timeout | undefined;
    try {
      const addresses = await Promise.race([
        this.lookup(host),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error('lookup timeout')), REGISTRATION_LOOKUP_MS);
        }),
      ]);
      return this.policy.resolved(
        parsed.url,
        addresses.map((a) => a.address),
      );
    } catch {
      return refused(`le nom ${host} ne se résout pas`);
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * An undici connector that checks the address the socket connects to: an IP host before
   * connecting, a name through the `lookup` the socket uses (every address it resolves to must be
   * allowed), so that a name resolving elsewhere at send time (DNS rebinding) gets nowhere.
   */
  connector(): buildConnector.connector {
    const guardedLookup =
      (protocol: string): LookupFunction =>
      (hostname, options, callback) => {
        this.lookup(hostname).then(
          (all) => {
            if (all.length === 0 || !all.every((a) => this.policy.admits(a.address, protocol))) {
              callback(new DestinationRefused(), '');
              return;
            }
            const wanted = options.family === 4 || options.family === 6 ? all.filter((a) => a.family === options.family) : all;
            if (wanted.length === 0) callback(Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' }), '');
            else if (options.all) callback(null, [...wanted]);
            else callback(null, wanted[0].address, wanted[0].family);
          },
          (error: NodeJS.ErrnoException) => callback(error, ''),
        );
      };
    const plain = buildConnector({ lookup: guardedLookup('http:') });
    const secure = buildConnector({ lookup: guardedLookup('https:') });
    return (options, callback) => {
      const host = options.hostname.replace(/^\[(.*)\]$/, '$1');
      if (isIP(host) !== 0 && !this.policy.admits(host, options.protocol)) {
        queueMicrotask(() => callback(new DestinationRefused(), null));
        return;
      }
      (options.protocol === 'https:' ? secure : plain)(options, callback);
    };
  }
}
