import { randomBytes } from 'node:crypto';
import { IncomingMessage, ServerResponse, createServer } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import twilio from 'twilio';
import escapeHtml from 'escape-html';

export interface SimulatedSms {
  sid: string;
  accountSid: string;
  to: string;
  from: string;
  body: string;
  status: 'queued' | 'sent' | 'delivered' | 'undelivered' | 'failed';
  numSegments: number;
  statusCallback: string | null;
  dateCreated: Date;
  dateSent: Date | null;
  dateUpdated: Date;
  errorCode: number | null;
  callbacks: { status: string; httpStatus: number | null; at: string }[];
}

export interface SmsGatewayOptions {
  port?: number;
  host?: string;
  accountSid: string;
  authToken: string;
  /** Time between the message being accepted and its delivery receipt. */
  deliveryDelayMs?: number;
  /** Time the gateway takes to accept a message (a slow provider); the message is listed after it. */
  acceptDelayMs?: number;
}

/** Operator behaviour by number, like test numbers: ending in 0000 → `undelivered`; else `delivered`. */
export function outcomeForNumber(to: string): 'delivered' | 'undelivered' {
  return to.endsWith('0000') ? 'undelivered' : 'delivered';
}

const rfc2822 = (d: Date | null) => (d ? d.toUTCString().replace('GMT', '+0000') : null);

/**
 * Twilio's REST Messages API as the `twilio` library calls it (create, fetch, list by recipient and
 * date), with status callbacks signed like Twilio's (X-Twilio-Signature). What it received is
 * readable over HTTP at / and /messages, so a person running the demo can follow the links.
 */
export async function startSmsGatewaySimulator(options: SmsGatewayOptions) {
  const messages: SimulatedSms[] = [];
  const delay = options.deliveryDelayMs ?? 150;
  let acceptDelayMs = options.acceptDelayMs ?? 0;
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();
  let stopped = false;

  const toJson = (m: SimulatedSms) => ({
    account_sid: m.accountSid,
    api_version: '2010-04-01',
    body: m.body,
    date_created: rfc2822(m.dateCreated),
    date_sent: rfc2822(m.dateSent),
    date_updated: rfc2822(m.dateUpdated),
    direction: 'outbound-api',
    error_code: m.errorCode,
    error_message: m.errorCode ? 'Unknown destination handset' : null,
    from: m.from,
    messaging_service_sid: null,
    num_media: '0',
    num_segments: String(m.numSegments),
    price: null,
    price_unit: 'EUR',
    sid: m.sid,
    status: m.status,
    subresource_uris: { media: `/2010-04-01/Accounts/${m.accountSid}/Messages/${m.sid}/Media.json` },
    to: m.to,
    uri: `/2010-04-01/Accounts/${m.accountSid}/Messages/${m.sid}.json`,
  });

  async function callback(m: SimulatedSms, status: SimulatedSms['status']): Promise<void> {
    m.status = status;
    m.dateUpdated = new Date();
    if (!m.statusCallback || stopped) return;
    const params: Record<string, string> = {
      AccountSid: m.accountSid,
      ApiVersion: '2010-04-01',
      From: m.from,
      MessageSid: m.sid,
      MessageStatus: status,
      SmsSid: m.sid,
      SmsStatus: status,
      To: m.to,
      ...(m.errorCode ? { ErrorCode: String(m.errorCode) } : {}),
    };
    const signature = twilio.getExpectedTwilioSignature(options.authToken, m.statusCallback, params);
    for (let attempt = 0; attempt < 3 && !stopped; attempt += 1) {
      try {
        const response = await fetch(m.statusCallback, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': signature, 'user-agent': 'TwilioProxy/1.1' },
          body: new URLSearchParams(params).toString(),
          signal: AbortSignal.timeout(5000),
        });
        m.callbacks.push({ status, httpStatus: response.status, at: new Date().toISOString() });
        if (response.ok) return;
      } catch {
        m.callbacks.push({ status, httpStatus: null, at: new Date().toISOString() });
      }
      await new Promise((r) => setTimeout(r, 200 * (attempt + 1)));
    }
  }

  const later = (ms: number, work: () => void) => {
    const t = setTimeout(() => {
      timers.delete(t);
      work();
    }, ms);
    timers.add(t);
  };

  const server = createServer((req, res) => void handle(req, res).catch(() => res.writeHead(500).end()));
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });

  function twilioError(res: ServerResponse, status: number, code: number, message: string) {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ code, message, more_info: `https://www.twilio.com/docs/errors/${code}`, status }));
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://x');
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    let text = '';
    for await (const chunk of req) text += chunk;

    if (url.pathname === '/' && req.method === 'GET') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end(`<!doctype html><html lang="fr"><meta charset="utf-8"><title>SMS reçus (simulateur)</title><body style="font-family:sans-serif;max-width:50rem;margin:auto">
<h1>SMS reçus par la passerelle simulée</h1><ol reversed>${[...messages]
        .reverse()
        .map(
          (m) =>
            `<li><p><strong>${escapeHtml(m.to)}</strong> — ${escapeHtml(m.status)} — ${m.numSegments} segment(s)<br>${escapeHtml(m.body).replace(/(https?:\/\/\S+)/g, '<a href="$1">$1</a>')}</p></li>`,
        )
        .join('')}</ol></body></html>`);
      return;
    }
    if (url.pathname === '/messages' && req.method === 'GET') return send(200, { data: messages.map(toJson) });

    const match = /^\/2010-04-01\/Accounts\/([^/]+)\/Messages(?:\/([^/.]+))?\.json$/.exec(url.pathname);
    if (!match) return send(404, { message: 'not found' });
    const auth = req.headers.authorization ?? '';
    const [user, pass] = Buffer.from(auth.replace(/^Basic /, ''), 'base64')
      .toString()
      .split(':');
    if (match[1] !== options.accountSid || user !== options.accountSid || pass !== options.authToken) {
      return twilioError(res, 401, 20003, 'Authenticate');
    }
    if (req.method === 'POST' && !match[2]) {
      const form = new URLSearchParams(text);
      const to = form.get('To') ?? '';
      const body = form.get('Body') ?? '';
      if (!/^\+\d{8,15}$/.test(to)) return twilioError(res, 400, 21211, `The 'To' number ${to} is not a valid phone number.`);
      if (!body) return twilioError(res, 400, 21602, 'Message body is required.');
      if (acceptDelayMs > 0) await new Promise((r) => setTimeout(r, acceptDelayMs));
      const now = new Date();
      const { SegmentedMessage } = await import('sms-segments-calculator');
      const m: SimulatedSms = {
        sid: `SM${randomBytes(16).toString('hex')}`,
        accountSid: options.accountSid,
        to,
        from: form.get('From') ?? '',
        body,
        status: 'queued',
        numSegments: new SegmentedMessage(body).segmentsCount,
        statusCallback: form.get('StatusCallback'),
        dateCreated: now,
        dateSent: null,
        dateUpdated: now,
        errorCode: null,
        callbacks: [],
      };
      messages.push(m);
      later(delay / 3, () => {
        m.dateSent = new Date();
        void callback(m, 'sent').then(() =>
          later(delay, () => {
            const outcome = outcomeForNumber(m.to);
            if (outcome === 'undelivered') m.errorCode = 30003;
            void callback(m, outcome);
          }),
        );
      });
      return send(201, toJson(m));
    }
    if (req.method === 'GET' && match[2]) {
      const m = messages.find((x) => x.sid === match[2]);
      return m ? send(200, toJson(m)) : twilioError(res, 404, 20404, 'The requested resource was not found');
    }
    if (req.method === 'GET') {
      const to = url.searchParams.get('To');
      const after = url.searchParams.get('DateSent>');
      const before = url.searchParams.get('DateSent<');
      const pageSize = Math.min(1000, Number(url.searchParams.get('PageSize') ?? 50));
      const page = Number(url.searchParams.get('Page') ?? 0);
      const filtered = messages
        .filter(
          (m) =>
            (!to || m.to === to) &&
            (!after || (m.dateSent ?? m.dateCreated) >= new Date(after)) &&
            (!before || (m.dateSent ?? m.dateCreated) <= new Date(before)),
        )
        .reverse();
      const slice = filtered.slice(page * pageSize, (page + 1) * pageSize);
      const base = `/2010-04-01/Accounts/${options.accountSid}/Messages.json`;
      const query = (p: number) => {
        const q = new URLSearchParams(url.searchParams);
        q.set('Page', String(p));
        q.set('PageSize', String(pageSize));
        return `${base}?${q.toString()}`;
      };
      return send(200, {
        messages: slice.map(toJson),
        page,
        page_size: pageSize,
        start: page * pageSize,
        end: page * pageSize + slice.length - 1,
        uri: query(page),
        first_page_uri: query(0),
        next_page_uri: (page + 1) * pageSize < filtered.length ? query(page + 1) : null,
        previous_page_uri: page > 0 ? query(page - 1) : null,
      });
    }
    return send(405, { message: 'method not allowed' });
  }

  await new Promise<void>((resolve) => server.listen(options.port ?? 0, options.host ?? '127.0.0.1', resolve));
  const url = `http://${options.host ?? '127.0.0.1'}:${(server.address() as AddressInfo).port}`;
  return {
    url,
    messages,
    /** Slows (or, with 0, speeds back) the acceptance of the next messages. */
    setAcceptDelay: (ms: number) => {
      acceptDelayMs = ms;
    },
    stop: () =>
      new Promise<void>((resolve) => {
        stopped = true;
        timers.forEach(clearTimeout);
        sockets.forEach((s) => s.destroy());
        server.close(() => resolve());
      }),
  };
}

export type SmsGatewaySimulator = Awaited<ReturnType<typeof startSmsGatewaySimulator>>;
