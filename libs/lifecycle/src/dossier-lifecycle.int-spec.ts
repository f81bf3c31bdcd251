import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { v7 as uuidv7 } from 'uuid';
import { loadConfig } from '@diapason/config';
import { DOSSIER_STATUSES, DossierStatus, InvalidTransitionError, ManualClock, canTransition } from '@diapason/domain';
import {
  DossierRepository,
  DossierWriteRepository,
  EstablishmentRepository,
  NoticeChannel,
  NoticeRepository,
  OutboxRepository,
  TransactionContext,
  createDataSource,
} from '@diapason/persistence';
import { freshDatabase } from '../../../test/support/fresh-database';
import type { NoticePlanner } from './commands';
import { DossierLifecycle } from './dossier-lifecycle';
import { DossierSweeps } from './dossier-sweeps';

/** SMS first when there is a phone, then e-mail; one channel at a time. */
const planner: NoticePlanner = {
  channelsOf: (d) => [...(d.patientPhone ? (['sms'] as NoticeChannel[]) : []), ...(d.patientEmail ? (['email'] as NoticeChannel[]) : [])],
  firstWave: (channels) => channels.slice(0, 1),
};

describe('DossierLifecycle on a real PostgreSQL', () => {
  const config = loadConfig({ NODE_ENV: 'test', DIAPASON_TOKEN_SECRET: 'x'.repeat(32), SMTP_URL: 'smtp://127.0.0.1:1' });
  const clock = new ManualClock(new Date('2026-11-23T09:00:00Z'));
  const actor = { type: 'system' as const, id: 'spec' };
  let database: { url: string; drop(): Promise<void> };
  let dataSource: DataSource;
  let tx: TransactionContext;
  let lifecycle: DossierLifecycle;
  let sweeps: DossierSweeps;
  let dossiers: DossierRepository;
  let establishmentId: string;
  let regieId: string;

  beforeAll(async () => {
    database = await freshDatabase();
    dataSource = createDataSource({ url: database.url, poolSize: 4 });
    await dataSource.initialize();
    tx = new TransactionContext(dataSource);
    dossiers = new DossierRepository(tx);
    const writes = new DossierWriteRepository(tx);
    lifecycle = new DossierLifecycle(tx, dossiers, writes, new NoticeRepository(tx), new OutboxRepository(tx), planner, config);
    sweeps = new DossierSweeps(tx, writes);
    const establishments = new EstablishmentRepository(tx);
    establishmentId = (await establishments.ensure('CH-LIFECYCLE', 'CH du cycle de vie')).id;
    regieId = await establishments.ensureRegie(establishmentId, 'REGIE-01');
  });
  afterAll(async () => {
    await dataSource.destroy();
    await database.drop();
  });

  async function open(contacts: { phone?: string | null; email?: string | null } = { phone: '+33639980101', email: 'p@example.test' }) {
    const d = await lifecycle.open({
      actor,
      dossier: {
        id: uuidv7(),
        establishmentId,
        regieId,
        regieCode: 'REGIE-01',
        gapDossierNumber: `GAP-${randomUUID().slice(0, 8)}`,
        patientLastName: 'Martin',
        patientFirstName: 'Claire',
        patientPhone: contacts.phone ?? null,
        patientEmail: contacts.email ?? null,
        admissionDate: null,
        createdAt: clock.now(),
      },
    });
    return { establishmentId, dossierId: d.id, actor };
  }
  const imprint = (c: Awaited<ReturnType<typeof open>>, ceilingCents = 5000) =>
    lifecycle.imprintApproved({
      ...c,
      facts: {
        at: clock.now(),
        attemptId: null,
        terminalCode: 'TPE',
        terminalModel: 'ICT250',
        ceilingCents,
        maskedPan: null,
        authorisationNumber: null,
      },
    });
  const events = async (id: string) => (await dossiers.events(id)).map((e) => e.type);
  const outbox = async (id: string) =>
    (await dataSource.query(`SELECT payload->>'channel' AS channel FROM outbox WHERE dossier_id = $1 ORDER BY id`, [id])).map(
      (r: { channel: string }) => r.channel,
    );

  it('refuses a second live dossier for the same GAP number, naming the first', async () => {
    const first = await open();
    const { gapDossierNumber } = (await dossiers.findByIdAnywhere(first.dossierId))!;
    const again = lifecycle.open({ actor, dossier: { ...(await dossiers.findByIdAnywhere(first.dossierId))!, id: uuidv7(), gapDossierNumber } });
    await expect(again).rejects.toMatchObject({ code: 'duplicate_active_dossier', details: { existingDossierId: first.dossierId } });
  });

  it('requests a payment, its journal event and its first notice in one transaction; above the ceiling, nothing is written', async () => {
    const c = await open();
    await imprint(c, 2000);
    await expect(lifecycle.paymentRequested({ ...c, facts: { at: clock.now(), amountCents: 2001, invoiceReference: null } })).rejects.toMatchObject({
      code: 'amount_exceeds_ceiling',
    });
    expect((await dossiers.findByIdAnywhere(c.dossierId))!.status).toBe('imprinted');
    expect(await outbox(c.dossierId)).toEqual([]);
    const { dossier, late } = await lifecycle.paymentRequested({ ...c, facts: { at: clock.now(), amountCents: 2000, invoiceReference: 'F-1' } });
    expect(dossier).toMatchObject({ status: 'payment_requested', amountCents: 2000, invoiceReference: 'F-1' });
    expect(late).toBe(false);
    expect(await outbox(c.dossierId)).toEqual(['sms']);
    expect(await events(c.dossierId)).toEqual(['dossier.created', 'dossier.imprinted', 'dossier.payment_requested']);
  });

  it('fails the notification at once when the patient has no usable channel', async () => {
    const c = await open({ phone: null, email: 'p@example.test' });
    await imprint(c);
    const noEmail: NoticePlanner = { channelsOf: () => [], firstWave: (x) => x };
    const bare = new DossierLifecycle(
      tx,
      dossiers,
      new DossierWriteRepository(tx),
      new NoticeRepository(tx),
      new OutboxRepository(tx),
      noEmail,
      config,
    );
    const { dossier } = await bare.paymentRequested({ ...c, facts: { at: clock.now(), amountCents: 100, invoiceReference: null } });
    expect(dossier.status).toBe('notification_failed');
  });

  it('falls back to the next channel when one fails, and fails the notification when none is left', async () => {
    const c = await open();
    await imprint(c);
    await lifecycle.paymentRequested({ ...c, facts: { at: clock.now(), amountCents: 100, invoiceReference: null } });
    const notices = new NoticeRepository(tx);
    const sms = await notices.ensure({
      id: uuidv7(),
      dossierId: c.dossierId,
      establishmentId,
      channel: 'sms',
      recipient: '+33639980101',
      createdAt: clock.now(),
    });
    await notices.update(sms.id, { status: 'failed', failureReason: 'numéro inconnu' });
    let d = await lifecycle.noticeFailed({
      ...c,
      facts: { at: clock.now(), noticeId: sms.id, channel: 'sms', recipient: '+33 6 •• •• •• 01', reason: 'numéro inconnu' },
    });
    expect(d.status).toBe('payment_requested');
    expect(await outbox(c.dossierId)).toEqual(['sms', 'email']);
    const email = await notices.ensure({
      id: uuidv7(),
      dossierId: c.dossierId,
      establishmentId,
      channel: 'email',
      recipient: 'p@example.test',
      createdAt: clock.now(),
    });
    await notices.update(email.id, { status: 'failed', failureReason: '550' });
    d = await lifecycle.noticeFailed({
      ...c,
      facts: { at: clock.now(), noticeId: email.id, channel: 'email', recipient: 'p•••@example.test', reason: '550' },
    });
    expect(d.status).toBe('notification_failed');
    expect((await dossiers.events(c.dossierId)).at(-1)!.details).toEqual({
      reasons: [
        { channel: 'sms', reason: 'numéro inconnu' },
        { channel: 'email', reason: '550' },
      ],
    });
  });

  it('acknowledges with the first evidence that counts and keeps the others in the journal', async () => {
    const c = await open();
    await imprint(c);
    await lifecycle.paymentRequested({ ...c, facts: { at: clock.now(), amountCents: 100, invoiceReference: null } });
    const evidence = { noticeId: null, channel: 'email' as const, at: clock.now(), userAgent: 'Mail' };
    let d = await lifecycle.evidenceReceived({ ...c, facts: { ...evidence, kind: 'pixel', counts: false, notCountedWhy: 'preuve non retenue' } });
    expect(d.status).toBe('payment_requested');
    d = await lifecycle.evidenceReceived({ ...c, facts: { ...evidence, kind: 'button', counts: true } });
    expect(d.status).toBe('acknowledged');
    expect(d.completionDueAt!.getTime()).toBe(clock.now().getTime() + config.delays.completionDelayMs);
    await lifecycle.evidenceReceived({ ...c, facts: { ...evidence, kind: 'button', counts: true } });
    const journal = await dossiers.events(c.dossierId);
    expect(journal.filter((e) => e.type === 'notice.evidence').map((e) => e.details.why)).toEqual(['preuve non retenue', 'statut acknowledged']);
  });

  // `completed` and `bank_rejected` are refused the same way; the sweeps' test reaches `completed`.
  it.each(DOSSIER_STATUSES.filter((s) => !canTransition(s, 'cancelled') && s !== 'completed' && s !== 'bank_rejected'))(
    'refuses to cancel a dossier in %s',
    async (status: DossierStatus) => {
      // Reach the status through the lifecycle only.
      const c = await open();
      const paths: Partial<Record<DossierStatus, () => Promise<unknown>>> = {
        completing: async () => {
          await imprint(c);
          await lifecycle.paymentRequested({ ...c, facts: { at: clock.now(), amountCents: 100, invoiceReference: null } });
          await lifecycle.evidenceReceived({
            ...c,
            facts: { noticeId: null, channel: 'sms', kind: 'delivery_receipt', at: clock.now(), userAgent: null, counts: true },
          });
          await lifecycle.completionStarted({ ...c, facts: { at: clock.now(), leaseUntil: clock.now() } });
        },
        cancelled: () => lifecycle.cancel({ ...c, facts: { at: clock.now(), reason: 'first' } }),
        deadline_exceeded: async () => {
          await imprint(c);
          await lifecycle.deadlineExceeded({ ...c, facts: { at: clock.now() } });
        },
        not_acknowledged: async () => {
          await imprint(c);
          await lifecycle.paymentRequested({ ...c, facts: { at: clock.now(), amountCents: 100, invoiceReference: null } });
          await lifecycle.ackTimedOut({ ...c, facts: { at: clock.now() } });
        },
        notification_failed: async () => {
          await imprint(c);
          await lifecycle.paymentRequested({ ...c, facts: { at: clock.now(), amountCents: 100, invoiceReference: null } });
          await lifecycle.notificationFailed({ ...c, facts: { at: clock.now(), reasons: [] } });
        },
      };
      await paths[status]!();
      await expect(lifecycle.cancel({ ...c, facts: { at: clock.now(), reason: 'late' } })).rejects.toBeInstanceOf(InvalidTransitionError);
      expect((await dossiers.findByIdAnywhere(c.dossierId))!.status).toBe(status);
    },
  );

  it('sweeps: debits what is due once, abandons what was never acknowledged, alerts once before the deadline', async () => {
    const due = await open();
    await imprint(due);
    await lifecycle.paymentRequested({ ...due, facts: { at: clock.now(), amountCents: 1750, invoiceReference: null } });
    await lifecycle.evidenceReceived({
      ...due,
      facts: { noticeId: null, channel: 'sms', kind: 'delivery_receipt', at: clock.now(), userAgent: null, counts: true },
    });
    const silent = await open();
    await imprint(silent);
    await lifecycle.paymentRequested({ ...silent, facts: { at: clock.now(), amountCents: 100, invoiceReference: null } });
    await lifecycle.noticeSent({
      ...silent,
      facts: { at: clock.now(), noticeId: uuidv7(), channel: 'sms', recipient: '+33 6', providerId: 'SM1', segments: 1 },
    });

    const later = new Date(clock.now().getTime() + config.delays.completionDelayMs);
    const claims = await sweeps.startDueCompletions(later, 100, 60_000, 'spec');
    expect(claims.map((x) => x.dossierId)).toContain(due.dossierId);
    expect(await sweeps.startDueCompletions(later, 100, 60_000, 'spec')).toEqual([]);
    const claim = claims.find((x) => x.dossierId === due.dossierId)!;
    const outcome = {
      dossierId: due.dossierId,
      completionKey: claim.completionKey,
      status: 'approved' as const,
      transactionReference: 'ACQ1',
      settlementDate: '2026-11-27',
    };
    expect(await sweeps.recordCompletionOutcomes([outcome], later, 'spec')).toBe(1);
    expect(await sweeps.recordCompletionOutcomes([outcome], later, 'spec')).toBe(0);
    expect((await dossiers.findByIdAnywhere(due.dossierId))!.status).toBe('completed');

    const afterY = new Date(clock.now().getTime() + config.delays.ackTimeoutMs);
    expect(await sweeps.abandonUnacknowledged(afterY, 100)).toBeGreaterThanOrEqual(1);
    expect((await dossiers.findByIdAnywhere(silent.dossierId))!.status).toBe('not_acknowledged');

    const waiting = await open();
    await imprint(waiting);
    const horizon = new Date(clock.now().getTime() + config.delays.imprintValidityMs);
    expect(await sweeps.raiseDeadlineAlerts(clock.now(), horizon, 100, uuidv7)).toBeGreaterThanOrEqual(1);
    expect(await sweeps.raiseDeadlineAlerts(clock.now(), horizon, 100, uuidv7)).toBe(0);
    const [alert] = await dataSource.query(`SELECT message FROM alert WHERE dossier_id = $1`, [waiting.dossierId]);
    expect(alert.message).toMatch(/aucune demande de paiement n’a été reçue/);
  });
});
