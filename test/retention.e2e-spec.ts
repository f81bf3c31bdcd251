import { DiapasonMetrics } from '@diapason/metrics';
import { SchedulerService } from '../apps/worker/src/scheduler.service';
import { driveTo, createDossier } from './support/fixtures';
import { NotifyHarness, startNotifyHarness } from './support/notify-harness';
import { waitFor } from './support/processes';
import { WorkerHarness, startWorker } from './support/worker-harness';

/** RGPD retention: personal data erased DIAPASON_RETENTION_PATIENT_DATA (13 months) after a dossier is final, the accounting trail kept. */

const SWEEP = 'erase-personal-data';
const BROWSER = 'Mozilla/5.0 (Linux; Android 14; Téléphone-de-Eugénie)';
const DAY = 86_400_000;

/** `at` plus calendar months, as PostgreSQL counts them (the day clamped to the month's end). */
function plusMonths(at: Date, months: number): Date {
  const d = new Date(at);
  const day = d.getUTCDate();
  d.setUTCDate(1);
  d.setUTCMonth(d.getUTCMonth() + months);
  const last = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 0)).getUTCDate();
  d.setUTCDate(Math.min(day, last));
  return d;
}

describe('personal data retention (RGPD)', () => {
  let h: NotifyHarness;
  beforeAll(async () => {
    // Explicit evidence: the pixel and the link are journaled with the browser but do not acknowledge; the button does.
    h = await startNotifyHarness({ DIAPASON_ACK_EVIDENCE: 'explicit' });
  });
  afterAll(() => h.close());

  const erase = (worker: WorkerHarness = h.worker) => worker.app.get(SchedulerService).runSweep(SWEEP);
  const get = async (id: string) => (await h.api.request('GET', `/v1/dossiers/${id}`, { key: h.key })).body;
  const events = async (id: string) => (await h.api.request('GET', `/v1/dossiers/${id}/events`, { key: h.key })).body.data as any[];
  const erasedCount = async () => {
    const text = await h.worker.app.get(DiapasonMetrics).registry.getSingleMetricAsString('diapason_personal_data_erased_dossiers_total');
    return Number(/^diapason_personal_data_erased_dossiers_total (\d+)$/m.exec(text)![1]);
  };

  /** A dossier notified by e-mail, read in a browser and acknowledged with the page's button: its token. */
  async function notifiedByEmail(email: string, lastName: string): Promise<{ id: string; token: string }> {
    const id = await h.requested({ email, lastName, firstName: 'Eugénie' });
    const mail = await waitFor(
      async () => {
        await h.worker.tick();
        return h.smtp.mails.find((m) => m.to.includes(email));
      },
      15_000,
      'notice e-mail',
    );
    const token = new RegExp(`${h.api.url}/p/([A-Za-z0-9_-]{43})`).exec(mail.text)![1];
    const page = await fetch(`${h.api.url}/p/${token}`, { headers: { 'user-agent': BROWSER } });
    expect(page.status).toBe(200);
    const ack = await fetch(`${h.api.url}/p/${token}/prise-de-connaissance`, {
      method: 'POST',
      headers: { 'user-agent': BROWSER },
      redirect: 'manual',
    });
    expect(ack.status).toBe(303);
    return { id, token };
  }

  it('erases names, contacts, recipients and browsers 13 months after the dossier is final, not before; amounts and references stay', async () => {
    const { id, token } = await notifiedByEmail('eugenie.retention@example.test', 'Retentionnaire');
    expect((await get(id)).status).toBe('acknowledged');
    await driveTo(h.api, id, 'completed');
    const closed = await get(id);
    expect(closed).toMatchObject({ status: 'completed', personalDataErasedAt: null, patient: { lastName: 'Retentionnaire' } });
    const closedAt = new Date(closed.closedAt as string);
    const journalBefore = await events(id);
    expect(JSON.stringify(journalBefore)).toContain(BROWSER);

    // Final later, and still running: neither is erased with the first.
    const later = await createDossier(h.api, h.key, { patient: { lastName: 'Tardif', firstName: 'Paul', email: 'paul.tardif@example.test' } });
    const running = await createDossier(h.api, h.key, { patient: { lastName: 'Encours', firstName: 'Anne', phone: '06 39 98 05 56' } });
    h.api.clock.advance(10 * DAY);
    await h.api.request('POST', `/v1/dossiers/${later.id}/cancel`, { key: h.key, body: { reason: 'gap_decision' } });
    const counted = await erasedCount();

    // A day before the 13 months: nothing happens.
    h.api.clock.set(new Date(plusMonths(closedAt, 13).getTime() - DAY));
    await erase();
    expect((await get(id)).personalDataErasedAt).toBeNull();
    expect((await get(id)).patient.lastName).toBe('Retentionnaire');

    // Past the 13 months: erased.
    h.api.clock.set(new Date(plusMonths(closedAt, 13).getTime() + 60_000));
    await erase();
    const erased = await get(id);
    expect(erased.personalDataErasedAt).toBe(h.api.clock.now().toISOString());
    expect(erased.patient).toEqual({ lastName: '', firstName: '', phone: null, email: null });
    expect(erased.notices).toEqual([expect.objectContaining({ channel: 'email', recipient: '***', failureReason: null })]);
    // The accounting trail: status, amounts, references, dates.
    for (const field of [
      'status',
      'gapDossierNumber',
      'regieCode',
      'paymentRequest',
      'completion',
      'completedAt',
      'closedAt',
      'imprint',
      'createdAt',
    ]) {
      expect({ field, value: erased[field] }).toEqual({ field, value: closed[field] });
    }
    expect(erased.paymentRequest.amountCents).toBe(1750);
    expect(erased.completion.transactionReference).toBe('ACQFIXTURE');
    // The journal keeps every event, without the browser or the recipient.
    const journalAfter = await events(id);
    expect(journalAfter.map((e) => [e.id, e.type, e.at, e.fromStatus, e.toStatus])).toEqual(
      journalBefore.map((e) => [e.id, e.type, e.at, e.fromStatus, e.toStatus]),
    );
    const text = JSON.stringify(journalAfter);
    for (const personal of [BROWSER, 'userAgent', 'recipient', 'eugenie.retention', 'e***@example.test']) expect(text).not.toContain(personal);
    expect(journalAfter.find((e) => e.type === 'dossier.acknowledged').details.evidence).toEqual({
      noticeId: expect.any(String),
      channel: 'email',
      kind: 'button',
      at: expect.any(String),
    });
    const [notice] = await h.api.dataSource.query(`SELECT recipient, failure_reason FROM notice WHERE dossier_id = $1`, [id]);
    expect(notice).toEqual({ recipient: '', failure_reason: null });
    expect(await erasedCount()).toBe(counted + 1);

    // The others keep their data; a second run erases nothing more.
    expect((await get(later.id)).patient.lastName).toBe('Tardif');
    expect((await get(running.id)).patient.lastName).toBe('Encours');
    await erase();
    expect(await erasedCount()).toBe(counted + 1);

    // The patient's link says it has expired, in French.
    const page = await fetch(`${h.api.url}/p/${token}`);
    expect(page.status).toBe(410);
    expect(await page.text()).toContain('Lien expiré');

    // The cancelled one goes 13 months after its own closing; the running one never.
    h.api.clock.set(new Date(plusMonths(new Date((await get(later.id)).closedAt), 13).getTime() + 60_000));
    await erase();
    expect((await get(later.id)).patient).toEqual({ lastName: '', firstName: '', phone: null, email: null });
    expect((await get(later.id)).cancellation).toEqual(expect.objectContaining({ reason: 'gap_decision' }));
    expect((await get(running.id)).patient.lastName).toBe('Encours');
    expect(await erasedCount()).toBe(counted + 2);
  });

  it('the journal stays append-only: only the redaction of personal values is accepted', async () => {
    const q = (sql: string, params: unknown[] = []) => h.api.dataSource.query(sql, params);
    expect(
      (
        await q(`SELECT dossier_event_redacted('notice.failed', $1::jsonb) AS r`, [
          JSON.stringify({ noticeId: 'n', channel: 'sms', recipient: '+336***01', reason: "The 'To' number +33639980101 is not valid" }),
        ])
      )[0].r,
    ).toEqual({ noticeId: 'n', channel: 'sms' });
    expect(
      (
        await q(`SELECT dossier_event_redacted('dossier.notification_failed', $1::jsonb) AS r`, [
          JSON.stringify({
            reasons: [
              { channel: 'sms', reason: 'numéro +33639980101 refusé' },
              { channel: 'email', reason: null },
            ],
          }),
        ])
      )[0].r,
    ).toEqual({ reasons: [{ channel: 'sms' }, { channel: 'email' }] });
    expect((await q(`SELECT dossier_event_redacted('dossier.cancelled', '{"reason":"gap_decision"}'::jsonb) AS r`))[0].r).toEqual({
      reason: 'gap_decision',
    });

    const d = await createDossier(h.api, h.key);
    await driveTo(h.api, d.id, 'acknowledged');
    await expect(q(`UPDATE dossier_event SET details = '{}'::jsonb WHERE dossier_id = $1`, [d.id])).rejects.toThrow(/append-only/);
    await expect(q(`UPDATE dossier_event SET at = at + interval '1 day' WHERE dossier_id = $1`, [d.id])).rejects.toThrow(/append-only/);
    await expect(q(`DELETE FROM dossier_event WHERE dossier_id = $1`, [d.id])).rejects.toThrow(/append-only/);
    // The redaction itself goes through (it is what the sweep does).
    await q(`UPDATE dossier_event SET details = dossier_event_redacted(type, details) WHERE dossier_id = $1`, [d.id]);
  });

  it('a link still valid says it has expired once its dossier is erased (shorter retention)', async () => {
    const short = await startWorker({
      databaseUrl: h.api.databaseUrl,
      clock: h.api.clock,
      env: { DIAPASON_RETENTION_PATIENT_DATA: '1j', DIAPASON_PUBLIC_URL: h.api.url, SMTP_URL: 'smtp://127.0.0.1:1' },
    });
    try {
      const { id, token } = await notifiedByEmail('eugenie.courte@example.test', 'Courte');
      await h.api.request('POST', `/v1/dossiers/${id}/cancel`, { key: h.key, body: { reason: 'patient_choice' } });
      expect((await fetch(`${h.api.url}/p/${token}`)).status).toBe(200);
      h.api.clock.advance(2 * DAY);
      await erase(short);
      expect((await get(id)).personalDataErasedAt).not.toBeNull();
      const page = await fetch(`${h.api.url}/p/${token}`);
      expect(page.status).toBe(410);
      const html = await page.text();
      expect(html).toContain('Ce lien a expiré.');
      expect(html).not.toContain('Courte');
    } finally {
      await short.close();
    }
  });
});
