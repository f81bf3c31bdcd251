import twilio from 'twilio';
import { NoticeTracker, PatientLinkTokens, SmsSender } from '@diapason/notifier';
import { startNotifyHarness, TWILIO } from './support/notify-harness';
import { waitFor } from './support/processes';
import { startWorker } from './support/worker-harness';

type H = Awaited<ReturnType<typeof startNotifyHarness>>;
const X = 3 * 86_400_000;

describe('notices: SMS and e-mail, acknowledgment, fallback, callbacks', () => {
  let h: H;
  beforeAll(async () => {
    h = await startNotifyHarness();
  });
  afterAll(() => h.close());

  const get = async (id: string) => (await h.api.request('GET', `/v1/dossiers/${id}`, { key: h.key })).body;
  const events = async (id: string) =>
    (await h.api.request('GET', `/v1/dossiers/${id}/events`, { key: h.key })).body.data as { type: string; details: any; toStatus: string | null }[];
  const settle = async (id: string, check: (d: any) => boolean, what: string) => {
    return waitFor(
      async () => {
        await h.worker.tick();
        const d = await get(id);
        return check(d) ? d : undefined;
      },
      15_000,
      what,
    );
  };

  it('sends the SMS through Twilio’s API and acknowledges on the delivery receipt', async () => {
    const id = await h.requested({ phone: '06 39 98 01 11' });
    const d = await settle(id, (x) => x.status === 'acknowledged', 'SMS acknowledgment');
    const sms = h.sms.messages.find((m) => m.to === '+33639980111')!;
    expect(sms.body).toContain('Centre hospitalier de démonstration');
    expect(sms.body).toContain('17,50 €');
    expect(sms.body).toContain(d.gapDossierNumber);
    expect(sms.body).toContain('23/11/2026'); // imprint date
    expect(sms.body).toContain('26/11/2026'); // debit date: today + X
    expect(sms.body).toContain('01 99 00 12 34');
    expect(sms.body).toMatch(new RegExp(`${h.api.url}/p/[A-Za-z0-9_-]{43}`));
    expect(sms.numSegments).toBeLessThanOrEqual(2);
    expect(d.acknowledgedAt).toBe(h.api.clock.now().toISOString());
    expect(d.debitScheduledAt).toBe(new Date(h.api.clock.now().getTime() + X).toISOString());
    expect(d.notices).toEqual([expect.objectContaining({ channel: 'sms', status: 'delivered' })]);
    const ack = (await events(id)).find((e) => e.type === 'dossier.acknowledged')!;
    expect(ack.details.evidence).toMatchObject({ channel: 'sms', kind: 'delivery_receipt' });
    expect((await events(id)).map((e) => e.type)).toContain('notice.sent');
  });

  it('sends the e-mail in HTML and text and acknowledges when it is opened (pixel)', async () => {
    const id = await h.requested({ email: 'claire.martin@example.test' });
    const d = await settle(id, (x) => x.status === 'acknowledged', 'e-mail acknowledgment');
    const mail = h.smtp.mails.find((m) => m.to.includes('claire.martin@example.test'))!;
    expect(mail.subject).toContain('17,50 €');
    expect(mail.html).toContain('<html lang="fr">');
    expect(mail.text).toContain('Date prévue du débit : 26/11/2026');
    expect(mail.messageId).toMatch(/^<notice-[0-9a-f-]+@diapason>$/);
    expect(d.notices[0]).toMatchObject({ channel: 'email', status: 'opened' });
    const ack = (await events(id)).find((e) => e.type === 'dossier.acknowledged')!;
    expect(ack.details.evidence).toMatchObject({ channel: 'email', kind: 'pixel' });
  });

  it('takes a followed link as acknowledgment (DIAPASON_ACK_EVIDENCE=any), with the browser in the evidence', async () => {
    const id = await h.requested({ email: 'lien@noopen.test' });
    await settle(id, (x) => x.notices[0]?.status === 'sent', 'e-mail sent');
    const mail = h.smtp.mails.find((m) => m.to.includes('lien@noopen.test'))!;
    const link = /(http:\/\/127\.0\.0\.1:\d+\/p\/[A-Za-z0-9_-]{43})/.exec(mail.text)![1];
    // A real browser's user agent: a bare « Mozilla/5.0 (test) » is what scripts and scanners send,
    // and a fetch by a machine no longer acknowledges (issue 13, point 5; test/patient-evidence).
    const browser = 'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36';
    const page = await fetch(link, { headers: { 'user-agent': browser } });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('17,50 €');
    const ack = (await events(id)).find((e) => e.type === 'dossier.acknowledged')!;
    expect(ack.details.evidence).toMatchObject({ channel: 'email', kind: 'link', userAgent: browser });
  });

  it('falls back to e-mail when the SMS is undelivered, and waits for an acknowledgment', async () => {
    const id = await h.requested({ phone: '06 39 98 00 00', email: 'claire@noopen.test' });
    const d = await settle(
      id,
      (x) => x.notices.length === 2 && x.notices.every((n: any) => n.status !== 'pending' && n.status !== 'sending'),
      'fallback',
    );
    expect(d.status).toBe('payment_requested');
    expect(d.notices.map((n: any) => [n.channel, n.status])).toEqual([
      ['sms', 'failed'],
      ['email', 'sent'],
    ]);
    expect(d.notices[0].failureReason).toMatch(/SMS non remis/);
    expect(h.smtp.mails.some((m) => m.to.includes('claire@noopen.test'))).toBe(true);
  });

  it('ends in notification_failed when every channel fails, with the reasons', async () => {
    const id = await h.requested({ phone: '06 39 98 00 00', email: 'nobody@bounce.test' });
    const d = await settle(id, (x) => x.status === 'notification_failed', 'notification failed');
    expect(d.categoryLabel).toBe('Echec de notification');
    const failed = (await events(id)).find((e) => e.type === 'dossier.notification_failed')!;
    expect(failed.details.reasons.map((r: any) => r.channel).sort()).toEqual(['email', 'sms']);
    expect(JSON.stringify(failed.details)).toMatch(/E-mail refusé/);
  });

  it('refuses unsigned and mis-signed status callbacks (403), changing nothing', async () => {
    const id = await h.requested({ email: 'forge@noopen.test' });
    await settle(id, (x) => x.notices[0]?.status === 'sent', 'e-mail sent');
    const noticeId = (await h.api.dataSource.query(`SELECT id FROM notice WHERE dossier_id = $1`, [id]))[0].id;
    const url = `${h.api.url}/callbacks/sms/status?notice=${noticeId}`;
    const params = { MessageSid: 'SMforged', MessageStatus: 'delivered', AccountSid: TWILIO.sid };
    const body = new URLSearchParams(params).toString();
    const unsigned = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body });
    expect(unsigned.status).toBe(403);
    const wrong = twilio.getExpectedTwilioSignature('not-the-token', url, params);
    const forged = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': wrong },
      body,
    });
    expect(forged.status).toBe(403);
    expect((await get(id)).status).toBe('payment_requested');
  });

  it('takes a duplicate delivery callback once', async () => {
    const id = await h.requested({ phone: '06 39 98 01 12' });
    await settle(id, (x) => x.status === 'acknowledged', 'SMS acknowledgment');
    const sms = h.sms.messages.find((m) => m.to === '+33639980112')!;
    const params = { AccountSid: TWILIO.sid, MessageSid: sms.sid, MessageStatus: 'delivered', SmsSid: sms.sid, SmsStatus: 'delivered', To: sms.to };
    const signature = twilio.getExpectedTwilioSignature(TWILIO.token, sms.statusCallback!, params);
    const replay = await fetch(sms.statusCallback!, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': signature },
      body: new URLSearchParams(params).toString(),
    });
    expect(replay.status).toBe(204);
    const types = (await events(id)).map((e) => e.type);
    expect(types.filter((t) => t === 'dossier.acknowledged')).toHaveLength(1);
    expect((await get(id)).acknowledgedAt).toBe(h.api.clock.now().toISOString());
  });

  it('does not lose a notice when the worker died between sending and recording, and does not send it twice', async () => {
    const id = await h.requested({ phone: '06 39 98 01 13' });
    // The dead worker: notice marked sending, SMS sent with its link, nothing recorded, outbox lease lapsed.
    const [{ establishment_id, imprint_valid_until }] = await h.api.dataSource.query(
      `SELECT establishment_id, imprint_valid_until FROM dossier WHERE id = $1`,
      [id],
    );
    const noticeId = '01a20000-0000-7000-8000-000000000113';
    await h.api.dataSource.query(
      `INSERT INTO notice (id, dossier_id, establishment_id, channel, recipient, status, send_started_at, created_at)
       VALUES ($1, $2, $3, 'sms', '+33639980113', 'sending', now(), now())`,
      [noticeId, id, establishment_id],
    );
    const token = h.api.app.get(PatientLinkTokens).sign(noticeId, new Date(imprint_valid_until.getTime() + 60 * 86_400_000));
    await new SmsSender({ accountSid: TWILIO.sid, authToken: TWILIO.token, from: 'CHDEMO', apiBaseUrl: h.sms.url }).send(
      '+33639980113',
      `avis ${h.api.url}/p/${token}`,
      `${h.api.url}/callbacks/sms/status?notice=${noticeId}`,
    );
    await h.api.dataSource.query(`UPDATE outbox SET status = 'sending', lease_until = '2000-01-01' WHERE dossier_id = $1`, [id]);
    const d = await settle(id, (x) => x.status === 'acknowledged', 'resumed notice');
    expect(h.sms.messages.filter((m) => m.to === '+33639980113')).toHaveLength(1);
    expect(d.notices[0]).toMatchObject({ channel: 'sms', status: 'delivered' });
  });

  it('records an SMS whose receipt acknowledged the dossier before the dead worker recorded it sent, without sending it again', async () => {
    const id = await h.requested({ phone: '06 39 98 01 14' });
    const [{ establishment_id, imprint_valid_until }] = await h.api.dataSource.query(
      `SELECT establishment_id, imprint_valid_until FROM dossier WHERE id = $1`,
      [id],
    );
    // The dead worker: notice marked sending, SMS accepted by the gateway, then killed before recording it.
    const noticeId = '01a20000-0000-7000-8000-000000000114';
    await h.api.dataSource.query(
      `INSERT INTO notice (id, dossier_id, establishment_id, channel, recipient, status, send_started_at, created_at)
       VALUES ($1, $2, $3, 'sms', '+33639980114', 'sending', now(), now())`,
      [noticeId, id, establishment_id],
    );
    await h.api.dataSource.query(`UPDATE outbox SET status = 'sending', lease_until = '2100-01-01' WHERE dossier_id = $1`, [id]);
    const token = h.api.app.get(PatientLinkTokens).sign(noticeId, new Date(imprint_valid_until.getTime() + 60 * 86_400_000));
    const sent = await new SmsSender({ accountSid: TWILIO.sid, authToken: TWILIO.token, from: 'CHDEMO', apiBaseUrl: h.sms.url }).send(
      '+33639980114',
      `avis ${h.api.url}/p/${token}`,
      `${h.api.url}/callbacks/sms/status?notice=${noticeId}`,
    );
    // Its delivery receipt acknowledges the dossier while the outbox item is still leased to the dead worker.
    await waitFor(async () => ((await get(id)).status === 'acknowledged' ? true : undefined), 15_000, 'receipt');
    // The lease lapses; the item is taken again.
    await h.api.dataSource.query(`UPDATE outbox SET lease_until = '2000-01-01' WHERE dossier_id = $1`, [id]);
    await h.worker.tick();
    await h.worker.tick();
    const [notice] = await h.api.dataSource.query(`SELECT status, provider_id, sent_at, delivery_status FROM notice WHERE id = $1`, [noticeId]);
    expect(notice).toMatchObject({ status: 'delivered', provider_id: sent.sid, delivery_status: 'delivered' });
    expect(notice.sent_at).not.toBeNull();
    const [dossier] = await h.api.dataSource.query(`SELECT status, notice_sent_at FROM dossier WHERE id = $1`, [id]);
    expect(dossier.status).toBe('acknowledged');
    expect(dossier.notice_sent_at).not.toBeNull();
    const journal = await events(id);
    expect(journal.filter((e) => e.type === 'notice.sent')).toEqual([
      expect.objectContaining({ details: expect.objectContaining({ providerId: sent.sid }) }),
    ]);
    expect(h.sms.messages.filter((m) => m.to === '+33639980114')).toHaveLength(1);
    const [outbox] = await h.api.dataSource.query(`SELECT status FROM outbox WHERE dossier_id = $1`, [id]);
    expect(outbox.status).toBe('done');
  });

  it('records an e-mail the patient opened before the dead worker recorded it sent, without sending it again', async () => {
    const id = await h.requested({ email: 'ouvert.avant@example.test' });
    const [{ establishment_id }] = await h.api.dataSource.query(`SELECT establishment_id FROM dossier WHERE id = $1`, [id]);
    const noticeId = '01a20000-0000-7000-8000-000000000115';
    // Sent, then opened (the pixel), then the worker died: the notice is `opened`, never recorded sent.
    await h.api.dataSource.query(
      `INSERT INTO notice (id, dossier_id, establishment_id, channel, recipient, status, send_started_at, created_at)
       VALUES ($1, $2, $3, 'email', 'ouvert.avant@example.test', 'sending', now(), now())`,
      [noticeId, id, establishment_id],
    );
    const at = h.api.clock.now();
    await h.api.app.get(NoticeTracker).acknowledge(noticeId, { kind: 'button', at }, { type: 'patient' });
    expect((await get(id)).status).toBe('acknowledged');
    await h.api.dataSource.query(`UPDATE outbox SET status = 'sending', lease_until = '2000-01-01' WHERE dossier_id = $1`, [id]);
    await h.worker.tick();
    const [notice] = await h.api.dataSource.query(`SELECT status, provider_id, sent_at FROM notice WHERE id = $1`, [noticeId]);
    expect(notice).toMatchObject({ status: 'opened', provider_id: `<notice-${noticeId}@diapason>` });
    expect(notice.sent_at).not.toBeNull();
    expect((await events(id)).filter((e) => e.type === 'notice.sent')).toHaveLength(1);
    expect(h.smtp.mails.filter((m) => m.to.includes('ouvert.avant@example.test'))).toHaveLength(0);
  });

  it('keeps the outbox lease of a notice whose provider is slow (heartbeat): no other worker takes it and sends it again', async () => {
    const id = await h.requested({ phone: '06 39 98 01 16' });
    const slowLease = await startWorker({
      databaseUrl: h.api.databaseUrl,
      clock: h.api.clock,
      env: {
        TWILIO_ACCOUNT_SID: TWILIO.sid,
        TWILIO_AUTH_TOKEN: TWILIO.token,
        TWILIO_FROM: 'CHDEMO',
        TWILIO_API_BASE_URL: h.sms.url,
        SMTP_URL: h.smtp.smtpUrl,
        DIAPASON_PUBLIC_URL: h.api.url,
        DIAPASON_OUTBOX_LEASE: '600ms',
      },
    });
    h.sms.setAcceptDelay(1500);
    try {
      const sending = slowLease.tick();
      let finished = false;
      void sending.finally(() => (finished = true));
      // The clock runs on past the 600 ms lease many times while the gateway takes its time; the
      // other worker keeps looking for lapsed items.
      while (!finished) {
        await new Promise((r) => setTimeout(r, 100));
        h.api.clock.advance(100);
        await h.worker.tick();
      }
      await sending;
    } finally {
      h.sms.setAcceptDelay(0);
      await slowLease.close();
    }
    await h.worker.tick();
    expect(h.sms.messages.filter((m) => m.to === '+33639980116')).toHaveLength(1);
    const [outbox] = await h.api.dataSource.query(`SELECT status, attempts FROM outbox WHERE dossier_id = $1`, [id]);
    expect(outbox).toEqual({ status: 'done', attempts: 1 });
  });

  it('never sends a notice twice, even with two workers', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 30; i += 1) ids.push(await h.requested({ phone: `0639982${String(i).padStart(3, '0')}` }));
    const second = await startWorker({
      databaseUrl: h.api.databaseUrl,
      clock: h.api.clock,
      env: {
        TWILIO_ACCOUNT_SID: TWILIO.sid,
        TWILIO_AUTH_TOKEN: TWILIO.token,
        TWILIO_FROM: 'CHDEMO',
        TWILIO_API_BASE_URL: h.sms.url,
        SMTP_URL: h.smtp.smtpUrl,
        DIAPASON_PUBLIC_URL: h.api.url,
        DIAPASON_SCHEDULER_BATCH_SIZE: '5',
      },
    });
    try {
      await Promise.all([h.worker.tick(), second.tick(), h.worker.tick(), second.tick()]);
    } finally {
      await second.close();
    }
    for (let i = 0; i < 30; i += 1) {
      expect(h.sms.messages.filter((m) => m.to === `+33639982${String(i).padStart(3, '0')}`)).toHaveLength(1);
    }
  });

  it('answers a wrong or expired patient link with a French page', async () => {
    const wrong = await fetch(`${h.api.url}/p/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA`);
    expect(wrong.status).toBe(404);
    expect(wrong.headers.get('content-type')).toMatch(/text\/html/);
    expect(await wrong.text()).toMatch(/Ce lien n’est pas valide/);
    const expired = h.api.app.get(PatientLinkTokens).sign('01a20000-0000-7000-8000-000000000999', new Date('2020-01-01'));
    const res = await fetch(`${h.api.url}/p/${expired}`);
    expect(res.status).toBe(410);
    expect(await res.text()).toMatch(/Lien expiré/);
  });
});
