import twilio from 'twilio';
import type { DossierStatus } from '@diapason/domain';
import { driveTo } from './support/fixtures';
import { startNotifyHarness, TWILIO } from './support/notify-harness';
import { waitFor } from './support/processes';

type H = Awaited<ReturnType<typeof startNotifyHarness>>;

const BROWSER = 'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36';
const APPLE_MPP = 'Mozilla/5.0';
const GOOGLE_PROXY = 'Mozilla/5.0 (Windows NT 5.1; rv:11.0) Gecko Firefox/11.0 (via ggpht.com GoogleImageProxy)';
const SCANNERS = [
  'Microsoft Office Existence Discovery',
  'Mozilla/4.0 (compatible; ms-office; MSOffice 16)',
  'Barracuda Sentinel (EE)',
  'Mimecast URL Protect',
  'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/130.0.0.0 Safari/537.36',
  'python-requests/2.32.3',
];

/**
 * Issue 13, points 5, 6 and 8: what counts as an acknowledgment when machines fetch the links, what
 * the patient page says in every status, masked failure reasons and Twilio callbacks replayed.
 * Default evidence rule (DIAPASON_ACK_EVIDENCE=any): the harness of test/notices.
 */
describe('patient evidence, patient page and notice callbacks', () => {
  let h: H;
  beforeAll(async () => {
    h = await startNotifyHarness();
  });
  afterAll(() => h.close());

  const get = async (id: string) => (await h.api.request('GET', `/v1/dossiers/${id}`, { key: h.key })).body;
  const events = async (id: string) =>
    (await h.api.request('GET', `/v1/dossiers/${id}/events`, { key: h.key })).body.data as {
      type: string;
      details: any;
      toStatus: string | null;
    }[];

  /** A dossier asked to pay, notified by an e-mail nobody opens; its patient link. */
  async function requestedWithLink(email: string): Promise<{ id: string; link: string }> {
    const id = await h.requested({ email });
    const mail = await waitFor(
      async () => {
        await h.worker.tick();
        return h.smtp.mails.find((m) => m.to.includes(email));
      },
      10_000,
      'e-mail',
    );
    await waitFor(async () => ((await get(id)).notices[0]?.status === 'sent' ? true : undefined), 10_000, 'notice sent');
    return { id, link: /(http:\/\/127\.0\.0\.1:\d+\/p\/[A-Za-z0-9_-]{43})/.exec(mail.text)![1] };
  }

  const page = async (url: string, agent = BROWSER, method = 'GET') => {
    const res = await fetch(url, { method, headers: { 'user-agent': agent }, redirect: 'manual' });
    return { status: res.status, location: res.headers.get('location'), text: await res.text() };
  };
  const post = (url: string) =>
    fetch(url, {
      method: 'POST',
      headers: { 'user-agent': BROWSER, 'content-type': 'application/x-www-form-urlencoded' },
      body: '',
      redirect: 'manual',
    });
  /** The visible text of a page, tags and styles removed. */
  const visible = (html: string) =>
    html
      .replace(/<style>[\s\S]*?<\/style>/g, '')
      .replace(/<[^>]+>/g, ' ')
      .replace(/\s+/g, ' ');

  describe('point 5: HEAD, link scanners and image proxies never acknowledge', () => {
    it('keeps HEAD requests on the page and the pixel in the journal, not counted', async () => {
      const { id, link } = await requestedWithLink('head@noopen.test');
      expect((await page(link, BROWSER, 'HEAD')).status).toBe(200);
      expect((await page(`${link}/o.gif`, BROWSER, 'HEAD')).status).toBe(200);
      const d = await get(id);
      expect(d.status).toBe('payment_requested');
      expect(d.acknowledgedAt).toBeNull();
      expect(d.notices[0].status).toBe('sent');
      const evidence = (await events(id)).filter((e) => e.type === 'notice.evidence');
      expect(evidence.map((e) => [e.details.kind, e.details.counted, e.details.reason]).sort()).toEqual([
        ['link', false, 'head'],
        ['pixel', false, 'head'],
      ]);
      expect(evidence[0].details.why).toMatch(/HEAD/);
    });

    it('does not take a mail-security gateway, a preview or a crawler following the link for the patient', async () => {
      const { id, link } = await requestedWithLink('scanned@noopen.test');
      for (const agent of SCANNERS) {
        const res = await page(link, agent);
        expect(res.status).toBe(200);
        // The page is shown all the same: a gateway sees what the patient would see.
        expect(res.text).toContain('17,50 €');
      }
      expect((await get(id)).status).toBe('payment_requested');
      const evidence = (await events(id)).filter((e) => e.type === 'notice.evidence');
      expect(evidence).toHaveLength(SCANNERS.length);
      expect(evidence.every((e) => e.details.kind === 'link' && e.details.counted === false && e.details.reason === 'link_scanner')).toBe(true);
      expect(evidence.map((e) => e.details.userAgent)).toEqual(SCANNERS);

      // Then the patient's own browser: that one counts.
      await page(link, BROWSER);
      const d = await get(id);
      expect(d.status).toBe('acknowledged');
      const ack = (await events(id)).find((e) => e.type === 'dossier.acknowledged')!;
      expect(ack.details.evidence).toMatchObject({ channel: 'email', kind: 'link', userAgent: BROWSER });
    });

    it('does not take an image proxy fetching the pixel (Apple Mail Privacy Protection, Gmail) for an opening', async () => {
      const { id, link } = await requestedWithLink('proxied@noopen.test');
      for (const agent of [APPLE_MPP, GOOGLE_PROXY]) {
        const res = await fetch(`${link}/o.gif`, { headers: { 'user-agent': agent } });
        expect(res.status).toBe(200);
        expect(res.headers.get('content-type')).toMatch(/image\/gif/);
      }
      const d = await get(id);
      expect(d.status).toBe('payment_requested');
      expect(d.notices[0].status).toBe('sent');
      const evidence = (await events(id)).filter((e) => e.type === 'notice.evidence');
      expect(evidence.map((e) => [e.details.kind, e.details.reason])).toEqual([
        ['pixel', 'image_proxy'],
        ['pixel', 'image_proxy'],
      ]);
      expect(evidence[0].details.why).toMatch(/Apple Mail Privacy Protection/);
    });
  });

  describe('point 6: every message of the patient page comes from the dossier’s state', () => {
    it('says nothing the dossier does not say, whatever the address asks', async () => {
      const { id, link } = await requestedWithLink('forged-query@noopen.test');
      // A scanner's fetch does not acknowledge, so the dossier still awaits the patient.
      const choice = visible((await page(`${link}?fait=autre-paiement`, SCANNERS[0])).text);
      expect(choice).not.toContain('Votre choix est enregistré');
      expect(choice).not.toContain('ne sera pas débitée');
      expect(choice).toContain('Payer autrement');
      const ack = visible((await page(`${link}?fait=prise-de-connaissance`, SCANNERS[0])).text);
      expect(ack).not.toContain('prise de connaissance est enregistrée');
      expect(ack).toContain('J’ai pris connaissance');
      expect((await get(id)).status).toBe('payment_requested');
    });

    /** A dossier in `status`, reached through its patient link. */
    async function linkIn(status: DossierStatus, email: string) {
      const { id, link } = await requestedWithLink(email);
      await driveTo(h.api, id, status);
      expect((await get(id)).status).toBe(status);
      return { id, link };
    }

    it('refuses « Payer autrement » on a completed dossier, and says the payment was already made', async () => {
      const { id, link } = await linkIn('completed', 'too-late-completed@noopen.test');
      const shown = visible((await page(link)).text);
      expect(shown).toContain('Ce montant a été réglé par votre carte bancaire le 23/11/2026');
      expect(shown).toContain('Débité le 23/11/2026');
      expect(shown).not.toContain('Payer autrement');

      // The confirmation page is not offered: back to the page, which says why.
      const confirm = await page(`${link}/payer-autrement`);
      expect(confirm.status).toBe(303);
      expect(confirm.location).toMatch(/\?fait=autre-paiement$/);

      // A form posted from a page loaded earlier.
      const res = await post(`${link}/payer-autrement`);
      expect(res.status).toBe(303);
      const after = visible((await page(new URL(res.headers.get('location')!, link).toString())).text);
      expect(after).toContain('Votre choix arrive trop tard : le paiement a déjà été effectué par votre carte bancaire le 23/11/2026');
      expect(after).not.toContain('ne sera pas débitée');
      expect(after).not.toContain('Votre choix est enregistré');
      expect((await get(id)).status).toBe('completed');
      expect((await events(id)).some((e) => e.type === 'dossier.cancelled')).toBe(false);
    });

    it('refuses « Payer autrement » while the debit is being made, and says so', async () => {
      const { id, link } = await linkIn('completing', 'too-late-completing@noopen.test');
      const shown = visible((await page(link)).text);
      expect(shown).toContain('Le débit de votre carte est en cours : ce montant ne peut plus être réglé autrement.');
      expect(shown).toContain('Débit lancé le 23/11/2026');
      const res = await post(`${link}/payer-autrement`);
      expect(res.status).toBe(303);
      const after = visible((await page(new URL(res.headers.get('location')!, link).toString())).text);
      expect(after).toContain(
        'Votre choix arrive trop tard : le débit de votre carte est en cours depuis le 23/11/2026 et ne peut plus être annulé.',
      );
      expect(after).not.toContain('ne sera pas débitée');
      expect((await get(id)).status).toBe('completing');
    });

    it('cancels an acknowledged dossier on « Payer autrement », and then says so from the state', async () => {
      const { id, link } = await linkIn('acknowledged', 'in-time@noopen.test');
      const before = visible((await page(link)).text);
      expect(before).toContain('Vous avez pris connaissance de ce montant');
      expect(before).toContain('Date prévue du débit 26/11/2026');
      expect(before).toContain('Payer autrement');
      const confirm = await page(`${link}/payer-autrement`);
      expect(confirm.status).toBe(200);
      expect(visible(confirm.text)).toContain('Votre carte ne sera pas débitée');
      const res = await post(`${link}/payer-autrement`);
      const after = visible((await page(new URL(res.headers.get('location')!, link).toString())).text);
      expect(after).toContain('Votre choix est enregistré : votre carte ne sera pas débitée.');
      expect(after).toContain('Vous avez choisi de régler ce montant autrement');
      expect(after).not.toContain('Date prévue du débit');
      expect(await get(id)).toMatchObject({ status: 'cancelled', cancellation: { reason: 'patient_choice' } });
    });

    const closed: [DossierStatus, string][] = [
      ['cancelled', 'L’établissement a annulé ce paiement par carte : votre carte ne sera pas débitée.'],
      ['bank_rejected', 'Votre banque a refusé le débit : votre carte n’a pas été débitée.'],
      ['notification_failed', 'Ce montant ne sera pas débité sur votre carte.'],
      ['not_acknowledged', 'Ce montant ne sera pas débité sur votre carte.'],
      ['deadline_exceeded', 'Ce montant ne sera pas débité sur votre carte.'],
    ];
    it.each(closed)('shows a %s dossier as it is, with no choice left and no debit date', async (status, text) => {
      const { id, link } = await linkIn(status, `closed-${status}@noopen.test`);
      const shown = visible((await page(link)).text);
      expect(shown).toContain(text);
      expect(shown).toContain('L’établissement vous adressera une facture par la voie habituelle.');
      expect(shown).not.toContain('Payer autrement');
      expect(shown).not.toContain('J’ai pris connaissance');
      expect(shown).not.toContain('Date prévue du débit');
      const res = await post(`${link}/payer-autrement`);
      expect(res.status).toBe(303);
      const after = visible((await page(new URL(res.headers.get('location')!, link).toString())).text);
      expect(after).not.toContain('Votre choix est enregistré');
      expect(after).not.toContain('trop tard');
      expect(after).toContain(text);
      expect((await get(id)).status).toBe(status);
    });

    it('shows a dossier awaiting acknowledgment with both choices and the debit date if acknowledged today', async () => {
      const { link } = await requestedWithLink('awaiting@noopen.test');
      const shown = visible((await page(link, SCANNERS[0])).text);
      expect(shown).toContain('Date prévue du débit 26/11/2026 si vous en prenez connaissance aujourd’hui');
      expect(shown).toContain('J’ai pris connaissance');
      expect(shown).toContain('Payer autrement');
    });
  });

  describe('point 8: notice failures and SMS delivery callbacks', () => {
    it('masks the address the SMTP server quotes when it refuses the e-mail, everywhere the reason goes', async () => {
      const id = await h.requested({ email: 'jean.dupont@bounce.test' });
      const d = await waitFor(
        async () => {
          await h.worker.tick();
          const x = await get(id);
          return x.status === 'notification_failed' ? x : undefined;
        },
        15_000,
        'notification failed',
      );
      const reason = d.notices[0].failureReason as string;
      expect(reason).toMatch(/^E-mail refusé : .*550/);
      expect(reason).toContain('j***@bounce.test');
      expect(reason).not.toContain('jean.dupont');
      const journal = await events(id);
      const failed = journal.find((e) => e.type === 'notice.failed')!;
      expect(failed.details).toMatchObject({ channel: 'email', recipient: 'j***@bounce.test' });
      expect(failed.details.reason).toContain('j***@bounce.test');
      // Webhooks carry the journal's events as they are.
      expect(JSON.stringify(journal)).not.toContain('jean.dupont');
      const [{ failure_reason }] = await h.api.dataSource.query(`SELECT failure_reason FROM notice WHERE dossier_id = $1`, [id]);
      expect(failure_reason).not.toContain('jean.dupont');
    });

    /** Posts a status callback signed as Twilio signs it. */
    async function callback(url: string, sid: string, to: string, status: string, extra: Record<string, string> = {}) {
      const params = { AccountSid: TWILIO.sid, MessageSid: sid, MessageStatus: status, SmsSid: sid, SmsStatus: status, To: to, ...extra };
      const signature = twilio.getExpectedTwilioSignature(TWILIO.token, url, params);
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': signature },
        body: new URLSearchParams(params).toString(),
      });
      return res.status;
    }

    it('changes nothing on replayed callbacks: no second evidence, no second event', async () => {
      const id = await h.requested({ phone: '06 39 98 01 21' });
      await waitFor(
        async () => {
          await h.worker.tick();
          return (await get(id)).status === 'acknowledged' ? true : undefined;
        },
        15_000,
        'SMS acknowledgment',
      );
      const sms = h.sms.messages.find((m) => m.to === '+33639980121')!;
      const before = await events(id);
      for (const status of ['delivered', 'delivered', 'sent', 'queued', 'undelivered', 'failed']) {
        expect(await callback(sms.statusCallback!, sms.sid, sms.to, status)).toBe(204);
      }
      const after = await events(id);
      expect(after).toEqual(before);
      expect(after.filter((e) => e.type === 'notice.evidence')).toEqual([]);
      const d = await get(id);
      expect(d.status).toBe('acknowledged');
      expect(d.notices).toEqual([expect.objectContaining({ channel: 'sms', status: 'delivered', failureReason: null })]);
      const [row] = await h.api.dataSource.query(`SELECT delivery_status FROM notice WHERE dossier_id = $1`, [id]);
      expect(row.delivery_status).toBe('delivered');
    });

    it('does not acknowledge on « delivered » after « undelivered »', async () => {
      const id = await h.requested({ phone: '06 39 98 00 00', email: 'fallback@noopen.test' });
      await waitFor(
        async () => {
          await h.worker.tick();
          const d = await get(id);
          return d.notices.length === 2 && d.notices[1].status === 'sent' ? true : undefined;
        },
        15_000,
        'SMS undelivered, e-mail sent',
      );
      const sms = h.sms.messages.find((m) => m.to === '+33639980000')!;
      const before = await events(id);
      expect(await callback(sms.statusCallback!, sms.sid, sms.to, 'delivered')).toBe(204);
      expect(await callback(sms.statusCallback!, sms.sid, sms.to, 'undelivered', { ErrorCode: '30003' })).toBe(204);
      expect(await events(id)).toEqual(before);
      const d = await get(id);
      expect(d.status).toBe('payment_requested');
      expect(d.acknowledgedAt).toBeNull();
      expect(d.notices.map((n: any) => [n.channel, n.status])).toEqual([
        ['sms', 'failed'],
        ['email', 'sent'],
      ]);
    });

    it('lets only one of concurrent callbacks act', async () => {
      const id = await h.requested({ email: 'concurrent@noopen.test' });
      // An SMS notice out with the provider (its own row, so the e-mail's worker is not involved).
      const [{ establishment_id }] = await h.api.dataSource.query(`SELECT establishment_id FROM dossier WHERE id = $1`, [id]);
      const noticeId = '01a20000-0000-7000-8000-000000000131';
      await h.api.dataSource.query(
        `INSERT INTO notice (id, dossier_id, establishment_id, channel, recipient, status, provider_id, sent_at, created_at)
         VALUES ($1, $2, $3, 'sms', '+33639980131', 'sent', 'SMconcurrent', now(), now())`,
        [noticeId, id, establishment_id],
      );
      const url = `${h.api.url}/callbacks/sms/status?notice=${noticeId}`;
      const statuses = await Promise.all(
        Array.from({ length: 12 }, (_, i) => callback(url, 'SMconcurrent', '+33639980131', i % 3 === 2 ? 'undelivered' : 'delivered')),
      );
      expect(statuses.every((s) => s === 204)).toBe(true);
      const journal = await events(id);
      const acted = journal.filter((e) => e.type === 'dossier.acknowledged' || e.type === 'notice.failed');
      expect(acted).toHaveLength(1);
      expect(journal.filter((e) => e.type === 'notice.evidence')).toEqual([]);
    });
  });
});
