import { createHash } from 'node:crypto';
import { IncomingMessage, ServerResponse, createServer } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export interface LedgerEntry {
  idempotencyKey: string;
  transactionReference: string;
  amountCents: number;
  merchantReference: string;
  authorisationNumber: string | null;
  settlementDate: string;
  at: string;
}

interface Stored {
  fingerprint: string;
  result: {
    status: 'approved' | 'refused';
    transactionReference: string | null;
    settlementDate: string | null;
    reasonCode: string | null;
    amountCents: number;
  };
}

export type InjectedFailure = 'timeout' | 'error_5xx' | 'drop_after_commit';

export interface AcquirerSimulatorOptions {
  port?: number;
  host?: string;
  latencyMs?: number;
  /** Share of requests, between 0 and 1, that meet each failure. */
  failureRates?: Partial<Record<InjectedFailure, number>>;
}

/** Issuer refusals by amount, the way test cards work: cents 51 and 54. */
export function refusalForAmount(amountCents: number): string | null {
  const cents = amountCents % 100;
  return cents === 51 ? '51' : cents === 54 ? '54' : null;
}

/**
 * An acceptance server for PLBS completions: idempotent by key (a key is debited at most once,
 * retries get the first result), a lookup by key, a ledger of debits, configurable latency and
 * injected failures (timeouts, 5xx, answers dropped after the debit was committed).
 */
export async function startAcquirerSimulator(options: AcquirerSimulatorOptions = {}) {
  const completions = new Map<string, Stored>();
  const ledger: LedgerEntry[] = [];
  /** Debits per key, to prove in tests that nothing was debited twice. */
  const debitsPerKey = new Map<string, number>();
  const settings = { latencyMs: options.latencyMs ?? 0, failureRates: { ...options.failureRates } as Partial<Record<InjectedFailure, number>> };
  const forced: InjectedFailure[] = [];
  let sequence = 0;
  const sockets = new Set<Socket>();

  const pickFailure = (): InjectedFailure | undefined => {
    const next = forced.shift();
    if (next) return next;
    for (const kind of ['timeout', 'error_5xx', 'drop_after_commit'] as const) {
      const rate = settings.failureRates[kind] ?? 0;
      if (rate > 0 && Math.random() < rate) return kind;
    }
    return undefined;
  };

  const settlementDate = () => {
    const d = new Date();
    d.setUTCDate(d.getUTCDate() + 1);
    return d.toISOString().slice(0, 10);
  };

  const server = createServer((req, res) => void handle(req, res));
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://x');
    const body = await readBody(req);
    const send = (status: number, payload: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(payload));
    };
    if (settings.latencyMs > 0) await new Promise((r) => setTimeout(r, settings.latencyMs));

    if (req.method === 'POST' && url.pathname === '/v1/completions') {
      const key = req.headers['idempotency-key'];
      if (typeof key !== 'string' || key.length === 0 || key.length > 128) return send(400, { error: 'Idempotency-Key required' });
      let parsed: { amountCents?: unknown; merchantReference?: unknown; imprint?: { authorisationNumber?: unknown } };
      try {
        parsed = JSON.parse(body) as typeof parsed;
      } catch {
        return send(400, { error: 'bad json' });
      }
      const amount = parsed.amountCents;
      if (typeof amount !== 'number' || !Number.isSafeInteger(amount) || amount <= 0) return send(400, { error: 'amountCents' });
      const failure = pickFailure();
      if (failure === 'timeout') return; // never answers; the client times out
      if (failure === 'error_5xx') return send(503, { error: 'indisponible' });
      const fingerprint = createHash('sha256').update(body).digest('hex');
      let stored = completions.get(key);
      if (stored && stored.fingerprint !== fingerprint) return send(422, { error: 'idempotency key reused with another body' });
      const replay = Boolean(stored);
      if (!stored) {
        const reasonCode = refusalForAmount(amount);
        sequence += 1;
        stored = {
          fingerprint,
          result: {
            status: reasonCode ? 'refused' : 'approved',
            transactionReference: reasonCode ? null : `ACQ${String(sequence).padStart(10, '0')}`,
            settlementDate: reasonCode ? null : settlementDate(),
            reasonCode,
            amountCents: amount,
          },
        };
        completions.set(key, stored);
        if (!reasonCode) {
          debitsPerKey.set(key, (debitsPerKey.get(key) ?? 0) + 1);
          ledger.push({
            idempotencyKey: key,
            transactionReference: stored.result.transactionReference!,
            amountCents: amount,
            merchantReference: typeof parsed.merchantReference === 'string' ? parsed.merchantReference : '',
            authorisationNumber: typeof parsed.imprint?.authorisationNumber === 'string' ? parsed.imprint.authorisationNumber : null,
            settlementDate: stored.result.settlementDate!,
            at: new Date().toISOString(),
          });
        }
      }
      if (failure === 'drop_after_commit') {
        req.socket.destroy();
        return;
      }
      return send(replay ? 200 : 201, { idempotencyKey: key, ...stored.result });
    }
    if (req.method === 'GET' && url.pathname.startsWith('/v1/completions/')) {
      const failure = pickFailure();
      if (failure === 'timeout') return;
      if (failure === 'error_5xx') return send(503, { error: 'indisponible' });
      if (failure === 'drop_after_commit') return void req.socket.destroy();
      const key = decodeURIComponent(url.pathname.slice('/v1/completions/'.length));
      const stored = completions.get(key);
      return stored ? send(200, { idempotencyKey: key, ...stored.result }) : send(404, { error: 'unknown key' });
    }
    if (req.method === 'GET' && url.pathname === '/ledger') {
      return send(200, { data: ledger, debits: ledger.length, totalCents: ledger.reduce((s, e) => s + e.amountCents, 0) });
    }
    if (req.method === 'POST' && url.pathname === '/control') {
      try {
        const c = JSON.parse(body || '{}') as {
          latencyMs?: number;
          failureRates?: Partial<Record<InjectedFailure, number>>;
          next?: InjectedFailure[];
        };
        if (typeof c.latencyMs === 'number') settings.latencyMs = c.latencyMs;
        if (c.failureRates) settings.failureRates = c.failureRates;
        if (Array.isArray(c.next)) forced.push(...c.next);
      } catch {
        return send(400, { error: 'bad json' });
      }
      return send(200, settings);
    }
    send(404, { error: 'not found' });
  }

  await new Promise<void>((resolve) => server.listen(options.port ?? 0, options.host ?? '127.0.0.1', resolve));
  const url = `http://${options.host ?? '127.0.0.1'}:${(server.address() as AddressInfo).port}`;
  return {
    url,
    ledger,
    debitsPerKey,
    completions,
    settings,
    /** Failures met by the next requests (completions and lookups), in order. */
    inject(...failures: InjectedFailure[]) {
      forced.push(...failures);
    },
    clearInjected() {
      forced.length = 0;
      settings.failureRates = {};
    },
    stop: () =>
      new Promise<void>((resolve) => {
        sockets.forEach((s) => s.destroy());
        server.close(() => resolve());
      }),
  };
}

export type AcquirerSimulator = Awaited<ReturnType<typeof startAcquirerSimulator>>;

async function readBody(req: IncomingMessage): Promise<string> {
  let text = '';
  for await (const chunk of req) {
    text += chunk;
    if (text.length > 100_000) break;
  }
  return text;
}
