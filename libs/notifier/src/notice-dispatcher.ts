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
  DossierRepository,
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

/** A notice prepared for sending: marked `sending` (committed) before its provider is called. */
export interface PreparedNotice {
  dossier: DossierEntity;
  notice: NoticeRow;
  /** Its sending began before (a worker died, or a lease lapsed): the provider is asked first. */
  resumed: boolean;
  /** It may go out (again): the dossier still waits and the patient did not get it. */
  maySend: boolean;
  /** The patient got it (receipt, opening): recorded as sent, never sent again. */
  proven: boolean;
}

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
    private readonly dossiers: DossierRepository,
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
    const [prepared] = await this.prepareMany([item]);
    return prepared ? this.sendPrepared(prepared) : null;
  }

  /**
   * Prepares the notices of a batch of outbox items in one transaction of a few set-based
   * statements (their dossiers, their notices locked, the missing ones inserted, all marked
   * `sending`), whatever the batch size. Answers in the order of `items`: a notice to send with
   * `sendPrepared`, or null when the item is done without sending (nothing to notify, or a second
   * item of the batch for the same notice: the first one carries it).
   */
  prepareMany(items: OutboxItem[]): Promise<(PreparedNotice | null)[]> {
    const wanted = items.map((item) => {
      const { dossierId, channel } = item.payload as { dossierId: string; channel: NoticeChannel };
      return { dossierId, channel, key: `${dossierId}/${channel}` };
    });
    const firsts = new Map<string, number>();
    wanted.forEach((w, i) => {
      if (!firsts.has(w.key)) firsts.set(w.key, i);
    });
    const keys = [...firsts.keys()].map((k) => wanted[firsts.get(k)!]);
    if (keys.length === 0) return Promise.resolve(items.map(() => null));
    return this.tx.run(async () => {
      const now = this.clock.now();
      const dossiers = new Map((await this.dossiers.findManyByIdAnywhere([...new Set(keys.map((k) => k.dossierId))])).map((d) => [d.id, d]));
      const existing = new Map((await this.notices.findByChannels(keys, true)).map((n) => [`${n.dossierId}/${n.channel}`, n]));
      const plans = new Map<string, { dossier: DossierEntity; existing: NoticeRow | null; waiting: boolean; proven: boolean }>();
      const toInsert: Parameters<NoticeRepository['ensureMany']>[0] = [];
      for (const { dossierId, channel, key } of keys) {
        const dossier = dossiers.get(dossierId);
        if (!dossier) continue;
        const found = existing.get(key) ?? null;
        // Sending began and was never recorded: resumed whatever the dossier became since.
        const unrecorded = found !== null && found.sendStartedAt !== null && found.sentAt === null;
        // The patient got it: a delivery receipt or an opening came (an SMS refused or undelivered
        // at the operator has its provider status too: it went out).
        const proven =
          unrecorded && (found.status === 'delivered' || found.status === 'opened' || (channel === 'sms' && found.deliveryStatus !== null));
        // Only a request still waiting for its acknowledgment is notified.
        const waiting = canTransition(dossier.status, 'acknowledged');
        if (!waiting && !(unrecorded && (found.status === 'sending' || proven))) continue;
        const recipient = channel === 'sms' ? dossier.patientPhone : dossier.patientEmail;
        if (!recipient && !found) continue;
        plans.set(key, { dossier, existing: found, waiting, proven });
        if (!found) {
          toInsert.push({ id: uuidv7(), dossierId, establishmentId: dossier.establishmentId, channel, recipient: recipient!, createdAt: now });
        }
      }
      const inserted = await this.notices.ensureMany(toInsert);
      const notices = new Map([...existing, ...inserted.map((n) => [`${n.dossierId}/${n.channel}`, n] as const)]);
      // Another worker inserted some first (both claimed an item for the same notice): taken as found.
      const raced = toInsert.filter((n) => !notices.has(`${n.dossierId}/${n.channel}`));
      for (const n of await this.notices.findByChannels(raced, true)) notices.set(`${n.dossierId}/${n.channel}`, n);
      const ready = new Map<string, PreparedNotice>();
      for (const [key, { dossier, waiting, proven }] of plans) {
        const notice = notices.get(key);
        if (!notice) continue;
        if (notice.status !== 'pending' && notice.status !== 'sending' && !proven) continue;
        ready.set(key, {
          dossier,
          notice: { ...notice, sendStartedAt: notice.sendStartedAt ?? now },
          resumed: notice.status === 'sending' || proven,
          // Sent (again) only to a dossier still waiting, and never when the patient already got it.
          maySend: waiting && !proven,
          proven,
        });
      }
      await this.notices.markSending(
        [...ready.values()].filter((p) => p.notice.status === 'pending' || p.notice.status === 'sending').map((p) => p.notice.id),
        now,
      );
      return wanted.map((w, i) => (firsts.get(w.key) === i ? (ready.get(w.key) ?? null) : null));
    });
  }

  /**
   * Sends a prepared notice without recording it: returns what `recordSent` must record, or null
   * when it is done without it (not to be sent again, refused for good). Throws to retry: the
   * notice stays `sending` and the next attempt asks the provider before sending again.
   */
  async sendPrepared(prepared: PreparedNotice): Promise<SentNotice | null> {
    const { dossier, notice, resumed, maySend, proven } = prepared;
    const channel = notice.channel;
    let providerId: string;
    let segments: number | null = null;
    try {
      const { facts, token } = await this.facts(dossier, notice);
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

  /** What the notice says and the patient's link token. */
  private async facts(dossier: DossierEntity, notice: NoticeRow): Promise<{ facts: NoticeFacts; token: string }> {
    const { establishment, regie } = await this.sender(dossier);
    const now = this.clock.now();
    const validUntil = dossier.imprintValidUntil ?? new Date(now.getTime() + this.config.delays.imprintValidityMs);
    const token = this.tokens.sign(notice.id, new Date(validUntil.getTime() + LINK_GRACE_MS));
    const facts: NoticeFacts = {
      hospitalName: establishment.name,
      amountCents: dossier.amountCents!,
      gapDossierNumber: dossier.gapDossierNumber,
      imprintedAt: dossier.imprintedAt ?? dossier.createdAt,
      debitDate: completionDueAt(now, this.config.delays),
      regie: regieContact(regie, dossier.regieCode),
      link: patientLinks(this.config).page(token),
    };
    return { facts, token };
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
