import { posix } from 'node:path';
import ipaddr from 'ipaddr.js';
import { ProtocolError } from './concert/errors';

export interface Timing {
  /** Wait for a control byte (ACK, NAK, EOT) or the rest of a frame. */
  controlTimeoutMs: number;
  /** Wait for the answer of a card transaction (PIN entry included). */
  answerTimeoutMs: number;
  connectTimeoutMs: number;
  /** Bounded retransmissions after NAK or silence. */
  retries: number;
}

export const DEFAULT_TIMING: Timing = { controlTimeoutMs: 3000, answerTimeoutMs: 150_000, connectTimeoutMs: 5000, retries: 3 };

export type Transport =
  | {
      kind: 'serial';
      path: string;
      baudRate: number;
      dataBits: 7 | 8;
      parity: 'none' | 'even' | 'odd';
      stopBits: 1 | 2;
    }
  | { kind: 'tcp'; host: string; port: number; protocol: 'v3' | 'v2' };

export interface TerminalLinkSettings {
  transport: Transport;
  timing: Timing;
  variant?: 'E+' | 'E';
  imprintType?: string;
  imprintAction?: string;
}

const int = (params: URLSearchParams, name: string, fallback: number, min: number, max: number): number => {
  const text = params.get(name);
  if (text === null) return fallback;
  const value = Number(text);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new ProtocolError('bad_field', `Paramètre ${name}=${text} invalide dans l’adresse du terminal`);
  }
  return value;
};

/** A DNS name (letters, digits, hyphens; dot-separated labels), with an optional final dot. */
const HOSTNAME = /^(?=.{1,254}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*\.?$/i;

/**
 * `serial:///dev/ttyACM0?baudRate=9600&dataBits=8&parity=none&stopBits=1` (Concert V2),
 * `tcp://10.0.0.12:8888` (Concert V3), `tcp+v2://…` (V2 framing through a serial-to-IP box).
 * Timeouts and profile overrides ride along: `answerTimeoutMs`, `controlTimeoutMs`, `retries`,
 * `variant=E`, `imprintType`, `imprintAction`.
 */
export function parseTransportUrl(text: string): TerminalLinkSettings {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new ProtocolError('bad_field', `Adresse de terminal invalide : ${text}`);
  }
  const params = url.searchParams;
  const timing: Timing = {
    controlTimeoutMs: int(params, 'controlTimeoutMs', DEFAULT_TIMING.controlTimeoutMs, 50, 60_000),
    answerTimeoutMs: int(params, 'answerTimeoutMs', DEFAULT_TIMING.answerTimeoutMs, 100, 600_000),
    connectTimeoutMs: int(params, 'connectTimeoutMs', DEFAULT_TIMING.connectTimeoutMs, 50, 60_000),
    retries: int(params, 'retries', DEFAULT_TIMING.retries, 0, 10),
  };
  const variant = params.get('variant');
  if (variant !== null && variant !== 'E' && variant !== 'E+') throw new ProtocolError('bad_field', 'variant doit valoir E ou E+');
  const common: Omit<TerminalLinkSettings, 'transport'> = {
    timing,
    variant: variant ?? undefined,
    imprintType: params.get('imprintType') ?? undefined,
    imprintAction: params.get('imprintAction') ?? undefined,
  };
  if (url.username || url.password) {
    throw new ProtocolError('bad_field', 'L’adresse du terminal ne doit pas contenir d’identifiant ni de mot de passe');
  }
  if (url.hash) throw new ProtocolError('bad_field', 'L’adresse du terminal ne doit pas contenir de fragment (#…)');
  if (url.protocol === 'serial:') {
    if (url.host) {
      throw new ProtocolError('bad_field', 'Port série : écrivez serial:///dev/… (le poste se déclare dans bridgeHost, pas dans l’adresse)');
    }
    let path: string;
    try {
      path = decodeURIComponent(url.pathname);
    } catch {
      throw new ProtocolError('bad_field', 'Chemin de port série invalide');
    }
    if (!path.startsWith('/') || path.includes('\0')) throw new ProtocolError('bad_field', 'Chemin de port série invalide');
    const parity = params.get('parity') ?? 'none';
    if (!['none', 'even', 'odd'].includes(parity)) throw new ProtocolError('bad_field', 'parity doit valoir none, even ou odd');
    const dataBits = int(params, 'dataBits', 8, 7, 8) as 7 | 8;
    return {
      ...common,
      transport: {
        kind: 'serial',
        path,
        baudRate: int(params, 'baudRate', 9600, 300, 921_600),
        dataBits,
        parity: parity as 'none' | 'even' | 'odd',
        stopBits: int(params, 'stopBits', 1, 1, 2) as 1 | 2,
      },
    };
  }
  if (url.protocol === 'tcp:' || url.protocol === 'tcp+v2:') {
    if (!url.hostname) throw new ProtocolError('bad_field', 'Hôte manquant dans l’adresse du terminal');
    if (url.pathname !== '' && url.pathname !== '/') {
      throw new ProtocolError('bad_field', 'L’adresse TCP du terminal ne porte pas de chemin : tcp://hôte:port');
    }
    const host = url.hostname.replace(/^\[|\]$/g, '');
    if (!ipaddr.isValid(host) && !HOSTNAME.test(host)) throw new ProtocolError('bad_field', `Nom d’hôte invalide : ${host}`);
    return {
      ...common,
      transport: {
        kind: 'tcp',
        host,
        port: url.port ? Number(url.port) : 8888,
        protocol: url.protocol === 'tcp:' ? 'v3' : 'v2',
      },
    };
  }
  throw new ProtocolError('bad_field', `Protocole d’adresse non pris en charge : ${url.protocol} (serial:, tcp:, tcp+v2:)`);
}

export function describeTransport(settings: TerminalLinkSettings): string {
  const t = settings.transport;
  return t.kind === 'serial'
    ? `port série ${t.path}, ${t.baudRate} bauds ${t.dataBits}${t.parity[0].toUpperCase()}${t.stopBits} (Concert V2)`
    : `${t.host}:${t.port} en TCP (Concert ${t.protocol.toUpperCase()})`;
}

/**
 * The canonical name of a tcp host: an IP address in its one written form (`0x7f000001`, `127.1`
 * and `::ffff:127.0.0.1` are all 127.0.0.1), or a DNS name in lower case without its final dot.
 */
export function canonicalHost(host: string): string {
  const bare = host.replace(/^\[|\]$/g, '');
  if (ipaddr.isValid(bare)) return ipaddr.process(bare).toString();
  return bare.toLowerCase().replace(/\.$/, '');
}

/**
 * The physical terminal an address reaches, as one string: `tcp://10.0.0.12:8888` (whatever the
 * protocol, the query or the spelling of the host), `serial://poste-1/dev/ttyACM0` (the machine the
 * serial line is plugged into, and the device). Two terminal records never share it.
 */
export function transportKey(settings: TerminalLinkSettings, bridgeHost: string | null): string {
  const t = settings.transport;
  if (t.kind === 'serial') return `serial://${(bridgeHost ?? '').toLowerCase()}${posix.normalize(t.path).replace(/(.)\/+$/, '$1')}`;
  const host = canonicalHost(t.host);
  return `tcp://${host.includes(':') ? `[${host}]` : host}:${t.port}`;
}
