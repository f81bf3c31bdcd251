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
  if (url.protocol === 'serial:') {
    const path = decodeURIComponent(url.pathname);
    if (!path.startsWith('/')) throw new ProtocolError('bad_field', 'Chemin de port série invalide');
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
    return {
      ...common,
      transport: {
        kind: 'tcp',
        host: url.hostname.replace(/^\[|\]$/g, ''),
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
