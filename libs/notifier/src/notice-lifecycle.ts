import { Inject, Injectable } from '@nestjs/common';
import { v7 as uuidv7 } from 'uuid';
import type { Clock } from '@diapason/domain';
import { completionDueAt } from '@diapason/domain';
import type { DiapasonConfig } from '@diapason/config';
import { InjectClock, InjectConfig } from '@diapason/config';
import {
  Actor,
  DossierEntity,
  DossierRepository,
  NoticeChannel,
  NoticeRepository,
  NoticeRow,
  OutboxRepository,
  TransactionContext,
} from '@diapason/persistence';
import { maskRecipient } from './masking';
import { parsePhone } from './phone';

export const NOTICE_SEND = 'notice.send';

export type EvidenceKind = 'delivery_receipt' | 'pixel' | 'link' | 'button';

export interface Evidence {
  kind: EvidenceKind;
  at: Date;
  userAgent?: string | null;
}

export const NOTIFIER_CHANNELS = Symbol('NOTIFIER_CHANNELS');
export interface EnabledChannels {
  sms: boolean;
  email: boolean;
}

/**
 * The rules of notices: which channels, in which order; what a failure leads to (the other
 * channel, or `notification_failed`); what counts as the acknowledgment that starts the debit clock.
 */
@Injectable()
export class NoticeLifecycle {
  constructor(
    private readonly tx: TransactionContext,
    private readonly dossiers: DossierRepository,
    private readonly notices: NoticeRepository,
    private readonly outbox: OutboxRepository,
    @Inject(NOTIFIER_CHANNELS) private readonly enabled: EnabledChannels,
    @InjectConfig() private readonly config: DiapasonConfig,
    @InjectClock() private readonly clock: Clock,
  ) {}

  /** The patient's channels, best first: SMS to a mobile, then e-mail. */
  channelsOf(dossier: Pick<DossierEntity, 'patientPhone' | 'patientEmail'>): { channel: NoticeChannel; recipient: string }[] {
    const out: { channel: NoticeChannel; recipient: string }[] = [];
    if (this.enabled.sms && dossier.patientPhone && parsePhone(dossier.patientPhone)?.smsCapable) {
      out.push({ channel: 'sms', recipient: dossier.patientPhone });
    }
    if (this.enabled.email && dossier.patientEmail) out.push({ channel: 'email', recipient: dossier.patientEmail });
    return out;
  }

  /** Called in the payment request's transaction: the notices leave after commit. */
  async requestNotices(dossier: DossierEntity, at: Date): Promise<void> {
    const channels = this.channelsOf(dossier);
    if (channels.length === 0) {
      await this.dossiers.transition(dossier, 'notification_failed', {
        at,
        actor: { type: 'system' },
        details: { reasons: [{ channel: null, reason: 'Aucun canal de notification : ni mobile ni adresse e-mail utilisable.' }] },
      });
      return;
    }
    const first = this.config.notices.strategy === 'all' ? channels : channels.slice(0, 1);
    for (const { channel } of first) await this.enqueue(dossier, channel, at);
  }

  private enqueue(dossier: Pick<DossierEntity, 'id' | 'establishmentId'>, channel: NoticeChannel, at: Date): Promise<void> {
    return this.outbox.enqueue({ kind: NOTICE_SEND, establishmentId: dossier.establishmentId, dossierId: dossier.id, payload: { dossierId: dossier.id, channel }, at });
  }

  /**
   * A channel failed for good (refused number, undelivered SMS, bounced e-mail): the other channel
   * is tried when the patient has one; when all have failed, the dossier is `notification_failed`.
   */
  async recordFailure(noticeId: string, reason: string, actor: Actor): Promise<void> {
    await this.tx.run(async () => {
      const notice = await this.notices.findById(noticeId, true);
      if (!notice || notice.status === 'failed') return;
      const dossier = await this.dossiers.findByIdForUpdate(notice.establishmentId, notice.dossierId);
      if (!dossier) return;
      const at = this.clock.now();
      await this.notices.update(notice.id, { status: 'failed', failedAt: at, failureReason: reason.slice(0, 300) });
      await this.dossiers.recordEvent(dossier, 'notice.failed', {
        at,
        actor,
        details: { noticeId: notice.id, channel: notice.channel, recipient: maskRecipient(notice.recipient), reason },
      });
      if (dossier.status !== 'payment_requested') return;
      const tried = new Map((await this.notices.ofDossiers([dossier.id])).map((n) => [n.channel, n]));
      tried.set(notice.channel, { ...notice, status: 'failed', failureReason: reason });
      const next = this.channelsOf(dossier).find((c) => !tried.has(c.channel));
      if (next) {
        await this.enqueue(dossier, next.channel, at);
        return;
      }
      if ([...tried.values()].every((n) => n.status === 'failed')) {
        await this.dossiers.transition(dossier, 'notification_failed', {
          at,
          actor,
          details: { reasons: [...tried.values()].map((n) => ({ channel: n.channel, reason: n.failureReason })) },
        });
      }
    });
  }

  /** Whether this kind of evidence acknowledges the notice under DIAPASON_ACK_EVIDENCE. */
  counts(kind: EvidenceKind): boolean {
    return this.config.notices.ackEvidence === 'any' || kind === 'delivery_receipt' || kind === 'button';
  }

  /**
   * Records evidence that the patient received the notice. The first evidence that counts sets
   * `acknowledgedAt` and schedules the debit X later; later evidence is kept in the journal.
   */
  async acknowledge(noticeId: string, evidence: Evidence, actor: Actor): Promise<{ dossier: DossierEntity; notice: NoticeRow } | null> {
    return this.tx.run(async () => {
      const notice = await this.notices.findById(noticeId, true);
      if (!notice) return null;
      let dossier = await this.dossiers.findByIdForUpdate(notice.establishmentId, notice.dossierId);
      if (!dossier) return null;
      if (evidence.kind === 'delivery_receipt') {
        await this.notices.update(notice.id, { status: 'delivered', deliveredAt: evidence.at });
      } else if (notice.status !== 'opened') {
        await this.notices.update(notice.id, { status: 'opened', deliveredAt: notice.deliveredAt ?? evidence.at });
      }
      const details = {
        noticeId: notice.id,
        channel: notice.channel,
        kind: evidence.kind,
        at: evidence.at.toISOString(),
        userAgent: evidence.userAgent?.slice(0, 300) ?? null,
      };
      if (this.counts(evidence.kind) && dossier.status === 'payment_requested') {
        dossier = await this.dossiers.transition(dossier, 'acknowledged', {
          at: evidence.at,
          actor,
          patch: { acknowledgedAt: evidence.at, completionDueAt: completionDueAt(evidence.at, this.config.delays) },
          details: { evidence: details },
        });
      } else {
        await this.dossiers.recordEvent(dossier, 'notice.evidence', {
          at: evidence.at,
          actor,
          details: { ...details, counted: false, why: this.counts(evidence.kind) ? `statut ${dossier.status}` : 'preuve non retenue (DIAPASON_ACK_EVIDENCE=explicit)' },
        });
      }
      return { dossier, notice };
    });
  }

  newNoticeId(): string {
    return uuidv7();
  }
}
