import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { IncomingMessage, ServerResponse, createServer } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export interface ReceivedEvent {
  id: string;
  type: string;
  dossierId: string;
  status: string | null;
  details: Record<string, unknown>;
  /** Deliveries of this event id (at-least-once: a retried delivery repeats the id). */
  deliveries: number;
}

export interface WebhookReceiver {
  url: string;
  secret: string;
  /** Distinct events by id. */
  events: Map<string, ReceivedEvent>;
  /** Every delivery, duplicates included. */
  deliveries(): number;
  /** Deliveries refused on purpose (first attempt of some events) to exercise the retries. */
  refused(): number;
  /** Deliveries whose signature did not verify (must stay 0). */
  badSignatures(): number;
  eventsOf(dossierId: string): ReceivedEvent[];
  /** Resolves with the first event of the dossier that matches, already received or to come. */
  next(dossierId: string, match: (event: ReceivedEvent) => boolean, timeoutMs: number): Promise<ReceivedEvent | undefined>;
  stop(): Promise<void>;
}

/**
 * The GAP's webhook endpoint: checks the `Diapason-Signature` (t=…,v1=HMAC-SHA256 of "t.body"),
 * keeps each event once by its id however many times it is delivered, and counts the deliveries.
 * `refuseFirstAttemptOf` answers 503 to the first delivery of the events it selects.
 */
export async function startWebhookReceiver(
  options: { secret?: string; refuseFirstAttemptOf?: (eventId: string) => boolean } = {},
): Promise<WebhookReceiver> {
  const secret = options.secret ?? 'replicas-webhook-secret-0123456789abcdef';
  const events = new Map<string, ReceivedEvent>();
  const byDossier = new Map<string, ReceivedEvent[]>();
  const waiters = new Map<string, Set<(e: ReceivedEvent) => void>>();
  const refusedOnce = new Set<string>();
  const sockets = new Set<Socket>();
  let deliveries = 0;
  let refused = 0;
  let badSignatures = 0;

  const verify = (header: string | undefined, body: string): boolean => {
    const parts = Object.fromEntries((header ?? '').split(',').map((p) => p.split('=', 2) as [string, string]));
    if (!parts.t || !parts.v1) return false;
    const expected = createHmac('sha256', secret).update(`${parts.t}.${body}`).digest();
    const given = Buffer.from(parts.v1, 'hex');
    return given.length === expected.length && timingSafeEqual(given, expected);
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    let body = '';
    for await (const chunk of req) body += chunk;
    if (!verify(req.headers['diapason-signature'] as string | undefined, body)) {
      badSignatures += 1;
      res.writeHead(401).end();
      return;
    }
    const payload = JSON.parse(body) as {
      id: string;
      type: string;
      data: { dossierId: string; status: string | null; details: Record<string, unknown> };
    };
    if (options.refuseFirstAttemptOf?.(payload.id) && !refusedOnce.has(payload.id)) {
      refusedOnce.add(payload.id);
      refused += 1;
      res.writeHead(503).end();
      return;
    }
    deliveries += 1;
    const known = events.get(payload.id);
    if (known) {
      known.deliveries += 1;
    } else {
      const event: ReceivedEvent = {
        id: payload.id,
        type: payload.type,
        dossierId: payload.data.dossierId,
        status: payload.data.status,
        details: payload.data.details ?? {},
        deliveries: 1,
      };
      events.set(event.id, event);
      const list = byDossier.get(event.dossierId) ?? [];
      list.push(event);
      byDossier.set(event.dossierId, list);
      for (const wake of waiters.get(event.dossierId) ?? []) wake(event);
    }
    res.writeHead(204).end();
  };

  const server = createServer((req, res) => void handle(req, res).catch(() => res.writeHead(500).end()));
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));

  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/gap/webhooks`,
    secret,
    events,
    deliveries: () => deliveries,
    refused: () => refused,
    badSignatures: () => badSignatures,
    eventsOf: (dossierId) => byDossier.get(dossierId) ?? [],
    next(dossierId, match, timeoutMs) {
      const already = (byDossier.get(dossierId) ?? []).find(match);
      if (already) return Promise.resolve(already);
      return new Promise((resolve) => {
        const set = waiters.get(dossierId) ?? new Set();
        waiters.set(dossierId, set);
        const done = (event: ReceivedEvent | undefined) => {
          clearTimeout(timer);
          set.delete(wake);
          if (set.size === 0) waiters.delete(dossierId);
          resolve(event);
        };
        const wake = (event: ReceivedEvent) => match(event) && done(event);
        const timer = setTimeout(() => done(undefined), timeoutMs);
        set.add(wake);
      });
    },
    stop: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A stable pseudo-random choice by id: the same event is always chosen or not. */
export function chosen(id: string, share: number): boolean {
  return createHash('sha256').update(id).digest().readUInt32BE(0) / 0x1_0000_0000 < share;
}
