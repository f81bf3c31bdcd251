import type { Response } from 'express';

/** Console pages are personal: never cached, never framed (the CSP comes from http-hardening.ts). */
export function sendPage(res: Response, body: string, status = 200): void {
  res.setHeader('Cache-Control', 'no-store');
  res.status(status).type('html').send(body);
}
