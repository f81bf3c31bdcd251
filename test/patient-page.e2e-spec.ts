import { createHmac } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { IncomingMessage, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { Browser, chromium } from 'playwright-core';
import { startNotifyHarness } from './support/notify-harness';
import { ROOT, waitFor } from './support/processes';

type H = Awaited<ReturnType<typeof startNotifyHarness>>;
const ARTIFACTS = join(ROOT, 'test-artifacts');

interface Received {
  headers: IncomingMessage['headers'];
  body: string;
}

/** The GAP's side of webhooks: records what it receives, answers with the status it is told. */
async function startReceiver() {
  const received: Received[] = [];
  const answers: number[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      received.push({ headers: req.headers, body });
      res.writeHead(answers.shift() ?? 200).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`,
    received,
    answers,
    stop: () => new Promise<void>((r) => server.close(() => r())),
  };
}

describe('patient page (headless Chromium) and GAP webhooks', () => {
  let h: H;
  let browser: Browser;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  let endpoint: { id: string; secret: string };

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    h = await startNotifyHarness({ DIAPASON_ACK_EVIDENCE: 'explicit' });
    receiver = await startReceiver();
    const res = await h.api.request('POST', '/v1/webhook-endpoints', { key: h.key, body: { url: receiver.url } });
    expect(res.status).toBe(201);
    expect(res.body.secret).toMatch(/^whsec_/);
    endpoint = res.body;
    browser = await chromium.launch({
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
  });
  afterAll(async () => {
    await browser?.close();
    await receiver.stop();
    await h.close();
  });

  const get = async (id: string) => (await h.api.request('GET', `/v1/dossiers/${id}`, { key: h.key })).body;
  const events = async (id: string) => (await h.api.request('GET', `/v1/dossiers/${id}/events`, { key: h.key })).body.data as any[];

  /** Sends the notice and returns the patient link the e-mail carries. */
  async function linkFor(email: string): Promise<string> {
    const mail = await waitFor(
      async () => {
        await h.worker.tick();
        return h.smtp.mails.find((m) => m.to.includes(email));
      },
      10_000,
      'e-mail',
    );
    return /(http:\/\/127\.0\.0\.1:\d+\/p\/[A-Za-z0-9_-]{43})/.exec(mail.text)![1];
  }

  it('does not take an opened e-mail or a followed link as acknowledgment when explicit action is required', async () => {
    const id = await h.requested({ email: 'opens@example.test' });
    const link = await linkFor('opens@example.test');
    await waitFor(
      async () => ((await events(id)).some((e) => e.type === 'notice.evidence' && e.details.kind === 'pixel') ? true : undefined),
      10_000,
      'pixel',
    );
    await fetch(link);
    expect((await get(id)).status).toBe('payment_requested');
    const evidence = (await events(id)).filter((e) => e.type === 'notice.evidence');
    expect(evidence.map((e) => e.details.kind).sort()).toEqual(['link', 'pixel']);
    expect(evidence.every((e) => e.details.counted === false)).toBe(true);
  });

  it('shows the patient what is owed, and records "J’ai pris connaissance" (accessible, on a phone screen)', async () => {
    const id = await h.requested({ email: 'patient.page@noopen.test' }, 2340);
    const link = await linkFor('patient.page@noopen.test');
    // The page's CSP forbids any script: the test lifts it to inject the axe-core checker.
    const page = await browser.newPage({ viewport: { width: 390, height: 844 }, locale: 'fr-FR', bypassCSP: true });
    await page.goto(link);
    expect(await page.getAttribute('html', 'lang')).toBe('fr');
    const text = await page.textContent('main');
    expect(text).toContain('23,40 €');
    expect(text).toContain('Centre hospitalier de démonstration');
    expect(text).toContain((await get(id)).gapDossierNumber);
    expect(text).toContain('23/11/2026');
    expect(text).toContain('26/11/2026');
    expect(text).toContain('01 99 00 12 34');

    await page.addScriptTag({ path: require.resolve('axe-core/axe.min.js') });
    const violations = await page.evaluate(async () => {
      const g = globalThis as any;
      return (await g.axe.run(g.document, { runOnly: ['wcag2a', 'wcag2aa'] })).violations.map((v: any) => v.id);
    });
    expect(violations).toEqual([]);
    await page.screenshot({ path: join(ARTIFACTS, 'patient-page.png'), fullPage: true });

    // Keyboard only: Tab reaches the button, Enter presses it.
    for (let i = 0; i < 10; i += 1) {
      await page.keyboard.press('Tab');
      const focused = await page.evaluate(() => (globalThis as any).document.activeElement?.textContent?.trim() as string | undefined);
      if (focused === 'J’ai pris connaissance') break;
    }
    expect(await page.evaluate(() => (globalThis as any).document.activeElement?.textContent?.trim())).toBe('J’ai pris connaissance');
    await page.keyboard.press('Enter');
    await page.waitForURL(/fait=prise-de-connaissance/);
    expect(await page.textContent('[role=status]')).toContain('prise de connaissance est enregistrée');
    await page.screenshot({ path: join(ARTIFACTS, 'patient-page-acknowledged.png'), fullPage: true });
    await page.close();

    const d = await get(id);
    expect(d.status).toBe('acknowledged');
    const ack = (await events(id)).find((e) => e.type === 'dossier.acknowledged');
    expect(ack.details.evidence).toMatchObject({ channel: 'email', kind: 'button' });
    expect(ack.details.evidence.userAgent).toMatch(/Chrome/);
  });

  it('lets the patient pay another way, cancels with patient_choice and tells the GAP', async () => {
    const id = await h.requested({ email: 'autrement@noopen.test' });
    const link = await linkFor('autrement@noopen.test');
    const page = await browser.newPage({ viewport: { width: 390, height: 844 } });
    await page.goto(link);
    await page.getByRole('link', { name: 'Payer autrement' }).click();
    await page.waitForURL(/payer-autrement$/);
    expect(await page.textContent('main')).toContain('Votre carte ne sera pas débitée');
    await page.screenshot({ path: join(ARTIFACTS, 'patient-page-other-payment.png'), fullPage: true });
    await page.getByRole('button', { name: /Confirmer/ }).click();
    await page.waitForURL(/fait=autre-paiement/);
    expect(await page.textContent('main')).toContain('ne sera pas débité');
    await page.close();

    expect(await get(id)).toMatchObject({ status: 'cancelled', cancellation: { reason: 'patient_choice' } });
    const delivered = await waitFor(
      async () => {
        await h.worker.tick();
        return receiver.received.find((r) => JSON.parse(r.body).type === 'dossier.cancelled' && JSON.parse(r.body).data.dossierId === id);
      },
      10_000,
      'cancel webhook',
    );
    const payload = JSON.parse(delivered.body);
    expect(payload).toMatchObject({
      object: 'event',
      type: 'dossier.cancelled',
      data: { toStatus: 'cancelled', details: { reason: 'patient_choice' } },
    });
    const cancelEvent = (await events(id)).find((e) => e.type === 'dossier.cancelled');
    expect(cancelEvent.actor.type).toBe('patient');
  });

  it('signs every webhook, retries after a failure and records each attempt', async () => {
    receiver.answers.push(500);
    const before = receiver.received.length;
    const created = await h.api.request('POST', '/v1/dossiers', {
      key: h.key,
      body: { gapDossierNumber: 'WH-1', regieCode: 'REGIE-01', patient: { lastName: 'A', firstName: 'B', email: 'a@noopen.test' } },
    });
    await h.worker.tick();
    expect(receiver.received.length).toBe(before + 1);
    h.api.clock.advance(11_000);
    await h.worker.tick();
    const mine = receiver.received.slice(before).filter((r) => JSON.parse(r.body).data.dossierId === created.body.id);
    expect(mine).toHaveLength(2);
    for (const r of mine) {
      const header = String(r.headers['diapason-signature']);
      const [, t, v1] = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(header)!;
      expect(createHmac('sha256', endpoint.secret).update(`${t}.${r.body}`).digest('hex')).toBe(v1);
      expect(r.headers['diapason-event-type']).toBe('dossier.created');
    }
    const deliveries = await h.api.request('GET', `/v1/webhook-endpoints/${endpoint.id}/deliveries?limit=100`, { key: h.key });
    const delivery = deliveries.body.data.find((d: any) => d.eventId === JSON.parse(mine[0].body).id);
    expect(delivery).toMatchObject({ status: 'delivered', eventType: 'dossier.created' });
    expect(delivery.attempts.map((a: any) => a.statusCode)).toEqual([500, 200]);
  });

  it('gives up after the retry window, and stops at deletion', async () => {
    const other = await h.api.createKey('CH-WH');
    const failing = await startReceiver();
    try {
      for (let i = 0; i < 50; i += 1) failing.answers.push(503);
      const ep = (await h.api.request('POST', '/v1/webhook-endpoints', { key: other, body: { url: failing.url, eventTypes: ['dossier.created'] } }))
        .body;
      expect((await h.api.request('GET', `/v1/webhook-endpoints/${ep.id}/deliveries`, { key: h.key })).status).toBe(404);
      await h.api.request('POST', '/v1/dossiers', {
        key: other,
        body: { gapDossierNumber: 'WH-2', regieCode: 'R', patient: { lastName: 'A', firstName: 'B', email: 'b@noopen.test' } },
      });
      await h.worker.tick();
      h.api.clock.advance(25 * 3_600_000);
      await h.worker.tick();
      const list = (await h.api.request('GET', `/v1/webhook-endpoints/${ep.id}/deliveries`, { key: other })).body.data;
      expect(list[0]).toMatchObject({ status: 'failed' });
      expect(list[0].attempts.length).toBe(2);

      const removed = await h.api.request('DELETE', `/v1/webhook-endpoints/${ep.id}`, { key: other });
      expect(removed.body).toEqual({ id: ep.id, deleted: true });
      const count = failing.received.length;
      await h.api.request('POST', '/v1/dossiers', {
        key: other,
        body: { gapDossierNumber: 'WH-3', regieCode: 'R', patient: { lastName: 'A', firstName: 'B', email: 'c@noopen.test' } },
      });
      await h.worker.tick();
      expect(failing.received.length).toBe(count);
      expect((await h.api.request('GET', '/v1/webhook-endpoints', { key: other })).body.data).toEqual([]);
    } finally {
      await failing.stop();
    }
  });
});
