import { lookup } from 'node:dns/promises';
import { posix } from 'node:path';
import ipaddr from 'ipaddr.js';
import picomatch from 'picomatch';
import { LinkError } from './links/link';
import type { TerminalLinkSettings } from './transport-url';

/** The longest a deployment check may hold its caller, whatever the target does. */
export const MAX_CHECK_TIMEOUT_MS = 15_000;

export interface TerminalAccessSettings {
  /** CIDR ranges (or single addresses) terminals may be reached in. */
  allowedNetworks: readonly string[];
  /** Globs of the serial devices terminals may be plugged into. */
  serialDevices: readonly string[];
  /** How long a deployment check may take, at most `MAX_CHECK_TIMEOUT_MS`. */
  checkTimeoutMs: number;
}

/** Never a terminal, whatever the allow-list says: nobody listens there for a register. */
const NEVER: readonly string[] = ['unspecified', 'multicast', 'broadcast'];

/** What the operator reads when an address is refused: the same words for every refused target. */
export const NETWORK_REFUSED =
  'adresse hors des réseaux autorisés pour les terminaux (DIAPASON_TERMINAL_ALLOWED_NETWORKS), ou nom d’hôte qui ne s’y résout pas';
export const SERIAL_REFUSED =
  'port série non autorisé : le chemin doit correspondre à DIAPASON_SERIAL_DEVICES (par exemple /dev/ttyACM0, /dev/ttyUSB0, /dev/serial/by-id/…)';

/** A target the policy refuses: no connection was attempted. */
export class TargetNotAllowedError extends LinkError {
  static readonly SYSTEM_CODE = 'ENOTALLOWED';

  constructor(
    readonly target: 'network' | 'serial',
    message: string,
  ) {
    super('link_unavailable', message, false, TargetNotAllowedError.SYSTEM_CODE);
    this.name = 'TargetNotAllowedError';
  }
}

export type TransportVerdict = { ok: true } | { ok: false; target: 'network' | 'serial'; message: string };

/**
 * Where terminals may be: network addresses inside the allowed ranges, serial devices matching the
 * allowed globs. Checked when a terminal is declared or edited, and again by the bridge at every
 * connection, on the address a name resolves to at that moment (the bridge connects to that
 * address, so a name cannot be pointed elsewhere between the check and the connection).
 * Serial paths are judged on their text alone, before anything touches the filesystem: a refusal
 * never tells whether a file exists.
 */
export class TerminalAccessPolicy {
  private readonly ranges: [ipaddr.IPv4 | ipaddr.IPv6, number][];
  private readonly serialMatcher: (path: string) => boolean;
  readonly checkTimeoutMs: number;

  constructor(readonly settings: TerminalAccessSettings) {
    this.ranges = settings.allowedNetworks.map((cidr) => parseRange(cidr));
    const globs = settings.serialDevices.filter((g) => g.trim() !== '');
    const matcher = globs.length > 0 ? picomatch(globs, { dot: false, nobrace: true, noextglob: true }) : () => false;
    this.serialMatcher = (path) => matcher(path);
    this.checkTimeoutMs = Math.min(Math.max(1, settings.checkTimeoutMs), MAX_CHECK_TIMEOUT_MS);
  }

  /** An IP address (any spelling) inside the allowed ranges, and not one that is never a terminal. */
  isAddressAllowed(address: string): boolean {
    if (!ipaddr.isValid(address)) return false;
    const ip = ipaddr.process(address);
    if (NEVER.includes(ip.range())) return false;
    return this.ranges.some(([base, bits]) => base.kind() === ip.kind() && ip.match(base, bits));
  }

  /** A serial device path in normal form (no `..`, `.` or `//`) matching an allowed glob. */
  isSerialPathAllowed(path: string): boolean {
    if (path.includes('\0') || !path.startsWith('/') || posix.normalize(path) !== path) return false;
    return this.serialMatcher(path);
  }

  /**
   * The address to connect to for `host`: the host itself when it is an address, else what the
   * name resolves to now. Every address of the name must be allowed; the first is used.
   */
  async resolve(host: string, signal?: AbortSignal): Promise<string> {
    const bare = host.replace(/^\[|\]$/g, '');
    if (ipaddr.isValid(bare)) {
      if (!this.isAddressAllowed(bare)) throw new TargetNotAllowedError('network', `Connexion refusée : ${NETWORK_REFUSED}.`);
      return ipaddr.process(bare).toString();
    }
    let addresses: string[];
    try {
      const lookedUp = lookup(bare.toLowerCase().replace(/\.$/, ''), { all: true, verbatim: true });
      addresses = (await (signal ? raceAbort(lookedUp, signal) : lookedUp)).map((a) => a.address);
    } catch (error) {
      if (signal?.aborted) throw error;
      addresses = [];
    }
    if (addresses.length === 0 || !addresses.every((a) => this.isAddressAllowed(a))) {
      throw new TargetNotAllowedError('network', `Connexion refusée : ${NETWORK_REFUSED}.`);
    }
    return ipaddr.process(addresses[0]).toString();
  }

  assertSerialPath(path: string): void {
    if (!this.isSerialPathAllowed(path)) throw new TargetNotAllowedError('serial', `Ouverture refusée : ${SERIAL_REFUSED}.`);
  }

  /** Whether a terminal may be declared at this address (resolving a name when there is one). */
  async checkTransport(settings: TerminalLinkSettings, signal?: AbortSignal): Promise<TransportVerdict> {
    const t = settings.transport;
    if (t.kind === 'serial') return this.isSerialPathAllowed(t.path) ? { ok: true } : { ok: false, target: 'serial', message: SERIAL_REFUSED };
    try {
      await this.resolve(t.host, signal);
      return { ok: true };
    } catch (error) {
      if (error instanceof TargetNotAllowedError) return { ok: false, target: 'network', message: NETWORK_REFUSED };
      throw error;
    }
  }

  /** The addresses a tcp host stands for today (itself when it is an address); empty when unknown. */
  async addressesOf(host: string): Promise<string[]> {
    const bare = host.replace(/^\[|\]$/g, '');
    if (ipaddr.isValid(bare)) return [ipaddr.process(bare).toString()];
    try {
      return (await lookup(bare.toLowerCase().replace(/\.$/, ''), { all: true, verbatim: true })).map((a) => ipaddr.process(a.address).toString());
    } catch {
      return [];
    }
  }
}

/** `10.0.0.0/8`, `fc00::/7`, or a single address (`10.1.2.3`, `::1`). */
export function parseRange(text: string): [ipaddr.IPv4 | ipaddr.IPv6, number] {
  const trimmed = text.trim();
  if (trimmed.includes('/')) {
    const [base, bits] = ipaddr.parseCIDR(trimmed);
    // An IPv4-mapped IPv6 range stands for the IPv4 range (the addresses are compared processed).
    if (base.kind() === 'ipv6' && (base as ipaddr.IPv6).isIPv4MappedAddress() && bits >= 96) {
      return [(base as ipaddr.IPv6).toIPv4Address(), bits - 96];
    }
    return [base, bits];
  }
  const address = ipaddr.process(trimmed);
  return [address, address.kind() === 'ipv4' ? 32 : 128];
}

/** Rejects as soon as `signal` aborts, leaving `work` to finish in the background. */
export function raceAbort<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(abortReason(signal));
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(abortReason(signal));
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });
}

function abortReason(signal: AbortSignal): Error {
  return signal.reason instanceof Error ? signal.reason : new LinkError('timeout', 'Délai de la vérification dépassé', false);
}
