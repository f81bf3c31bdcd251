import type { Response } from 'express';

/** Console pages are personal: never cached, never framed (the CSP comes from http-hardening.ts). */
export function sendPage(res: Response, body: string, status = 200): void {
  res.setHeader('Cache-Control', 'no-store');
  // Not helmet's no-referrer: with it, browsers send `Origin: null` on form posts, which the Origin check refuses.
  res.setHeader('Referrer-Policy', 'same-origin');
  res.status(status).type('html').send(body);
}
