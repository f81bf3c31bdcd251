import { Agent, IncomingMessage, Server, ServerResponse, createServer, request } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export interface LoadBalancer {
  url: string;
  /** Requests forwarded to each backend (by index), and requests retried on another one. */
  stats: { forwarded: number[]; retried: number; failed: number };
  stop(): Promise<void>;
}

const IDEMPOTENT = new Set(['GET', 'HEAD', 'OPTIONS']);
/** Hop-by-hop headers, not forwarded (RFC 9110 §7.6.1). */
const HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade', 'te', 'trailer']);

/**
 * A round-robin reverse proxy in front of several api processes, behaving like nginx's
 * `proxy_next_upstream error timeout`: a request that could not reach a backend (connection refused)
 * goes to the next one; one that failed after it was sent is retried elsewhere only when its method
 * is idempotent, else answered 502 — the caller retries with its Idempotency-Key.
 */
export async function startLoadBalancer(backends: string[]): Promise<LoadBalancer> {
  const agent = new Agent({ keepAlive: true, maxSockets: 64 });
  const stats = { forwarded: backends.map(() => 0), retried: 0, failed: 0 };
  const sockets = new Set<Socket>();
  let next = 0;

  const forward = (index: number, req: IncomingMessage, body: Buffer) =>
    new Promise<IncomingMessage>((resolve, reject) => {
      const target = new URL(req.url ?? '/', backends[index]);
      const headers = Object.fromEntries(Object.entries(req.headers).filter(([name]) => !HOP.has(name)));
      const upstream = request(
        target,
        { method: req.method, headers: { ...headers, 'content-length': String(body.length) }, agent, timeout: 15_000 },
        resolve,
      );
      upstream.on('timeout', () => upstream.destroy(Object.assign(new Error('upstream timeout'), { code: 'ETIMEDOUT' })));
      upstream.on('error', reject);
      upstream.end(body);
    });

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    const first = next++ % backends.length;
    // Two rounds over the backends, with a short pause between them: a restarting api gets a moment.
    for (let attempt = 0; attempt < backends.length * 2; attempt += 1) {
      const index = (first + attempt) % backends.length;
      if (attempt === backends.length) await new Promise((r) => setTimeout(r, 250));
      try {
        const answer = await forward(index, req, body);
        stats.forwarded[index] += 1;
        const headers = Object.fromEntries(Object.entries(answer.headers).filter(([name]) => !HOP.has(name)));
        res.writeHead(answer.statusCode ?? 502, headers);
        answer.pipe(res);
        answer.on('error', () => res.destroy());
        return;
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        const neverSent = code === 'ECONNREFUSED';
        if (!neverSent && !IDEMPOTENT.has(req.method ?? '')) break;
        stats.retried += 1;
      }
    }
    stats.failed += 1;
    if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' });
    res.end('502 Bad Gateway (test load balancer)');
  };

  const server: Server = createServer((req, res) => void handle(req, res).catch(() => res.destroy()));
  server.keepAliveTimeout = 5_000;
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    stats,
    stop: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      agent.destroy();
    },
  };
}
