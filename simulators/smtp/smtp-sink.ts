import { IncomingMessage, ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import escapeHtml from 'escape-html';
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';

export interface ReceivedMail {
  id: number;
  messageId: string | null;
  from: string;
  to: string[];
  subject: string;
  text: string;
  html: string | null;
  receivedAt: string;
  /** When the simulated patient opened it (fetched its tracking pixel). */
  openedAt: string | null;
}

export interface SmtpSinkOptions {
  smtpPort?: number;
  httpPort?: number;
  host?: string;
  /** Time before the simulated patient opens an e-mail (fetches its images). */
  openDelayMs?: number;
}

/** Test domains: `@bounce.test` is refused at RCPT (550), `@noopen.test` accepted but never opened. */
export const bounces = (address: string) => /@bounce\.test$/i.test(address);
export const neverOpens = (addresses: string[]) => addresses.some((a) => /@noopen\.test$/i.test(a));

/**
 * An SMTP sink: keeps every message, refuses the `@bounce.test` addresses, and plays a patient
 * who opens the e-mail a moment after it arrives (it fetches the images, tracking pixel included).
 */
export async function startSmtpSink(options: SmtpSinkOptions = {}) {
  const host = options.host ?? '127.0.0.1';
  const mails: ReceivedMail[] = [];
  const timers = new Set<NodeJS.Timeout>();
  let next = 1;

  const smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    banner: 'DIAPASON SMTP sink',
    logger: false,
    size: 10 * 1024 * 1024,
    onRcptTo(address, _session, callback) {
      if (bounces(address.address)) {
        const error = new Error(`5.1.1 <${address.address}>: adresse inconnue`) as Error & { responseCode: number };
        error.responseCode = 550;
        return callback(error);
      }
      callback();
    },
    onData(stream, session, callback) {
      simpleParser(stream)
        .then((parsed) => {
          const to = session.envelope.rcptTo.map((r) => r.address);
          const mail: ReceivedMail = {
            id: next++,
            messageId: parsed.messageId ?? null,
            from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
            to,
            subject: parsed.subject ?? '',
            text: parsed.text ?? '',
            html: typeof parsed.html === 'string' ? parsed.html : null,
            receivedAt: new Date().toISOString(),
            openedAt: null,
          };
          mails.push(mail);
          if (mail.html && !neverOpens(to)) {
            const images = [...mail.html.matchAll(/<img[^>]+src="([^"]+)"/g)].map((m) => m[1].replace(/&amp;/g, '&'));
            const t = setTimeout(() => {
              timers.delete(t);
              void Promise.all(
                images.map((src) =>
                  fetch(src, { headers: { 'user-agent': 'DIAPASON-SMTP-sink (patient simulé)' }, signal: AbortSignal.timeout(5000) }).catch(
                    () => undefined,
                  ),
                ),
              ).then(() => (mail.openedAt = new Date().toISOString()));
            }, options.openDelayMs ?? 300);
            timers.add(t);
          }
          callback();
        })
        .catch((error: Error) => callback(error));
    },
  });
  await new Promise<void>((resolve) => smtp.listen(options.smtpPort ?? 0, host, resolve));
  const smtpPort = (smtp.server.address() as AddressInfo).port;

  const http = createServer((req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const json = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (url.pathname === '/messages') return json(200, { data: mails });
    const one = /^\/messages\/(\d+)(\/html)?$/.exec(url.pathname);
    if (one) {
      const mail = mails.find((m) => m.id === Number(one[1]));
      if (!mail) return json(404, { error: 'not found' });
      if (one[2]) {
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
        return res.end(mail.html ?? `<pre>${escapeHtml(mail.text)}</pre>`);
      }
      return json(200, mail);
    }
    if (url.pathname === '/') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      return res.end(`<!doctype html><html lang="fr"><meta charset="utf-8"><title>Courriels reçus (simulateur)</title><body style="font-family:sans-serif;max-width:50rem;margin:auto">
<h1>Courriels reçus par le serveur SMTP simulé</h1><ol reversed>${[...mails]
        .reverse()
        .map(
          (m) =>
            `<li><a href="/messages/${m.id}/html">${escapeHtml(m.subject)}</a> — ${escapeHtml(m.to.join(', '))} — ${m.openedAt ? 'ouvert' : 'non ouvert'}</li>`,
        )
        .join('')}</ol></body></html>`);
    }
    json(404, { error: 'not found' });
  });
  await new Promise<void>((resolve) => http.listen(options.httpPort ?? 0, host, resolve));
  const httpUrl = `http://${host}:${(http.address() as AddressInfo).port}`;

  return {
    smtpUrl: `smtp://${host}:${smtpPort}`,
    httpUrl,
    mails,
    stop: async () => {
      timers.forEach(clearTimeout);
      http.closeAllConnections();
      await new Promise<void>((r) => http.close(() => r()));
      await new Promise<void>((r) => smtp.close(() => r()));
    },
  };
}

export type SmtpSink = Awaited<ReturnType<typeof startSmtpSink>>;
