import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import type { Clock } from '@diapason/domain';
import { canTransition, completionDueAt } from '@diapason/domain';
import type { DiapasonConfig } from '@diapason/config';
import { InjectClock, InjectConfig } from '@diapason/config';
import { LRUCache } from 'lru-cache';
import { v7 as uuidv7 } from 'uuid';
import { DossierLifecycle } from '@diapason/lifecycle';
import {
  DossierEntity,
  EstablishmentEntity,
  EstablishmentRepository,
  RegieEntity,
  NoticeChannel,
  NoticeRepository,
  NoticeRow,
  OutboxItem,
  TransactionContext,
} from '@diapason/persistence';
import { DiapasonMetrics } from '@diapason/metrics';
import { EmailRejected, EmailSender } from './email-sender';
import { maskContactsInError, maskRecipient } from './masking';
import { NoticeFacts, regieContact, renderEmail, renderSms } from './notice-content';
import { NoticeTracker } from './notice-tracker';
import { PatientLinkTokens } from './patient-link';
import { SmsRejected, SmsSender } from './sms-sender';

export const SMS_SENDER = Symbol('SMS_SENDER');

/** A notice the provider took, to be recorded as sent. */
export interface SentNotice {
  dossier: DossierEntity;
  notice: NoticeRow;
  providerId: string;
  segments: number | null;
}
export const EMAIL_SENDER = Symbol('EMAIL_SENDER');

/** Patient links stay valid this long after the imprint ends, for the record. */
const LINK_GRACE_MS = 60 * 86_400_000;

export function patientLinks(config: DiapasonConfig) {
  return {
    page: (token: string) => `${config.http.publicBaseUrl}/p/${token}`,
    pixel: (token: string) => `${config.http.publicBaseUrl}/p/${token}/o.gif`,
    smsStatusCallback: (noticeId: string) => `${config.http.publicBaseUrl}/callbacks/sms/status?notice=${noticeId}`,
  };
}

/**
 * Sends one notice taken from the outbox. The notice row is marked `sending` (committed) before
 * the provider is called; when a later attempt finds it so, the provider is asked whether the
 * message already went out (Twilio lists messages by recipient and date) before sending again.
 *
 * A notice whose sending began but was never recorded (the worker died after the provider took
 * it) is resumed whatever became of the dossier since: its delivery receipt may well have
 * acknowledged it meanwhile. It is then recorded as sent (provider id, `notice.sent`, the dossier's
 * `notice_sent_at`) from what the provider says or what the receipt proves, never sent again.
 */
@Injectable()
export class NoticeDispatcher {
  private readonly logger = new Logger('Notices');

  constructor(
    private readonly tx: TransactionContext,
    private readonly establishments: EstablishmentRepository,
    private readonly notices: NoticeRepository,
    private readonly tracker: NoticeTracker,
    private readonly lifecycle: DossierLifecycle,
    private readonly tokens: PatientLinkTokens,
    @Optional() @Inject(SMS_SENDER) private readonly sms: SmsSender | null,
    @Optional() @Inject(EMAIL_SENDER) private readonly email: EmailSender | null,
    @InjectConfig() private readonly config: DiapasonConfig,
    @InjectClock() private readonly clock: Clock,
    @Optional() private readonly metrics?: DiapasonMetrics,
  ) {}

  /** Sends one notice and records it; returns normally when the item is done, throws to retry. */
  async process(item: OutboxItem): Promise<void> {
    const sent = await this.send(item);
    if (sent) await this.recordSent([sent]);
  }

  /**
   * Sends one notice without recording it: returns what `recordSent` must record, or null when the
   * item is done without it (skipped, failed for good). Throws to retry: the notice stays `sending`
   * and the next attempt asks the provider before sending again.
   */
  async send(item: OutboxItem): Promise<SentNotice | null> {
    const { dossierId, channel } = item.payload as { dossierId: string; channel: NoticeChannel };
    const prepared = await this.prepare(dossierId, channel);
    if (!prepared) return null;
    const { dossier, notice, facts, token, resumed, maySend, proven } = prepared;
    let providerId: string;
    let segments: number | null = null;
    try {
      if (channel === 'sms') {
        if (!this.sms) throw new SmsRejected('disabled', 'SMS non configurés');
        const sms = renderSms(facts);
        segments = sms.segments;
        const already = resumed ? await this.sms.findSent(notice.recipient, notice.sendStartedAt ?? notice.createdAt, token) : null;
        if (already) this.logger.log({ notice: notice.id }, 'SMS already sent before a crash: not sent again');
        else if (proven) {
          // A receipt came for it, yet the provider does not list it (yet): asked again later.
          throw new Error('SMS reçu par le patient mais introuvable chez le fournisseur : nouvelle recherche plus tard');
        } else if (!maySend) return null;
        providerId = (already ?? (await this.sms.send(notice.recipient, sms.body, patientLinks(this.config).smsStatusCallback(notice.id)))).sid;
      } else {
        // SMTP cannot be asked; the Message-ID is ours: an e-mail the patient opened went out.
        const messageId = `<notice-${notice.id}@diapason>`;
        if (proven) providerId = messageId;
        else if (!maySend) return null;
        else {
          if (!this.email) throw new EmailRejected(0, 'E-mail non configuré');
          const mail = renderEmail(facts, patientLinks(this.config).pixel(token));
          providerId = (await this.email.send({ to: notice.recipient, ...mail, messageId })).messageId;
        }
      }
    } catch (error) {
      if (error instanceof SmsRejected || error instanceof EmailRejected) {
        await this.tracker.recordFailure(notice.id, `${channel === 'sms' ? 'SMS refusé' : 'E-mail refusé'} : ${error.message}`, {
          type: 'provider',
          id: channel,
        });
        return null;
      }
      throw maskContactsInError(error);
    }
    return { dossier, notice, providerId, segments };
  }

  /** After the last retry: the channel is given up, which may fall back to the other one. */
  async giveUp(item: OutboxItem, reason: string): Promise<void> {
    const { dossierId, channel } = item.payload as { dossierId: string; channel: NoticeChannel };
    const notice = await this.notices.findByChannel(dossierId, channel);
    // A notice the patient received (receipt, opening) is not declared failed for a lookup that failed.
    if (notice && (notice.status === 'pending' || notice.status === 'sending')) {
      await this.tracker.recordFailure(notice.id, `Fournisseur injoignable : ${reason}`, { type: 'system' });
    }
  }

  /** Who the notice comes from: looked up once a minute at most, not for every notice. */
  private readonly senders = new LRUCache<string, { establishment: EstablishmentEntity; regie: RegieEntity | null }>({ max: 1000, ttl: 60_000 });

  private async sender(dossier: DossierEntity) {
    const key = `${dossier.establishmentId}/${dossier.regieId}`;
    const cached = this.senders.get(key);
    if (cached) return cached;
    const found = {
      establishment: (await this.establishments.findById(dossier.establishmentId))!,
      regie: await this.establishments.findRegieById(dossier.regieId),
    };
    this.senders.set(key, found);
    return found;
  }

  private prepare(dossierId: string, channel: NoticeChannel) {
    return this.tx.run(async (manager) => {
      const dossier = await manager.findOneBy(DossierEntity, { id: dossierId });
      if (!dossier) return null;
      const existing = await this.notices.findByChannel(dossier.id, channel, true);
      // Sending began and was never recorded: resumed whatever the dossier became since.
      const unrecorded = existing !== null && existing.sendStartedAt !== null && existing.sentAt === null;
      // The patient got it: a delivery receipt or an opening came (an SMS refused or undelivered
      // at the operator has its provider status too: it went out).
      const proven =
        unrecorded && (existing.status === 'delivered' || existing.status === 'opened' || (channel === 'sms' && existing.deliveryStatus !== null));
      // Only a request still waiting for its acknowledgment is notified.
      const waiting = canTransition(dossier.status, 'acknowledged');
      if (!waiting && !(unrecorded && (existing.status === 'sending' || proven))) return null;
      const recipient = channel === 'sms' ? dossier.patientPhone : dossier.patientEmail;
      if (!recipient && !existing) return null;
      const notice =
        existing ??
        (await this.notices.ensure({
          id: uuidv7(),
          dossierId: dossier.id,
          establishmentId: dossier.establishmentId,
          channel,
          recipient: recipient!,
          createdAt: this.clock.now(),
        }));
      if (notice.status !== 'pending' && notice.status !== 'sending' && !proven) return null;
      const resumed = notice.status === 'sending' || proven;
      const startedAt = notice.sendStartedAt ?? this.clock.now();
      if (notice.status === 'pending' || notice.status === 'sending') {
        await this.notices.update(notice.id, { status: 'sending', sendStartedAt: startedAt });
      }
      const { establishment, regie } = await this.sender(dossier);
      const validUntil = dossier.imprintValidUntil ?? new Date(this.clock.now().getTime() + this.config.delays.imprintValidityMs);
      const token = this.tokens.sign(notice.id, new Date(validUntil.getTime() + LINK_GRACE_MS));
      const facts: NoticeFacts = {
        hospitalName: establishment.name,
        amountCents: dossier.amountCents!,
        gapDossierNumber: dossier.gapDossierNumber,
        imprintedAt: dossier.imprintedAt ?? dossier.createdAt,
        debitDate: completionDueAt(this.clock.now(), this.config.delays),
        regie: regieContact(regie, dossier.regieCode),
        link: patientLinks(this.config).page(token),
      };
      // Sent (again) only to a dossier still waiting, and never when the patient already got it.
      const maySend = waiting && !proven;
      return { dossier, notice: { ...notice, sendStartedAt: startedAt }, facts, token, resumed, maySend, proven };
    });
  }

  /**
   * Records notices as sent, a batch in one transaction of a few statements, each once: a notice
   * already recorded (two workers resuming it) is left alone, and one a delivery receipt or an
   * opening moved on keeps its status (never back to `sent`). Returns how many this call recorded.
   */
  recordSent(sent: SentNotice[]): Promise<number> {
    if (sent.length === 0) return Promise.resolve(0);
    return this.tx.run(async () => {
      const at = this.clock.now();
      const recorded = await this.notices.markSent(
        sent.map((s) => ({ id: s.notice.id, providerId: s.providerId, segments: s.segments })),
        at,
      );
      const byId = new Map(sent.map((s) => [s.notice.id, s]));
      await this.lifecycle.noticesSent(
        recorded.map((n) => {
          const { dossier, notice, providerId, segments } = byId.get(n.id)!;
          return {
            establishmentId: dossier.establishmentId,
            dossierId: dossier.id,
            actor: { type: 'system' as const },
            facts: { noticeId: notice.id, channel: notice.channel, recipient: maskRecipient(notice.recipient), providerId, segments },
          };
        }),
        at,
      );
      for (const n of recorded) this.metrics?.notices.inc({ channel: n.channel, outcome: 'sent' });
      return recorded.length;
    });
  }
}
