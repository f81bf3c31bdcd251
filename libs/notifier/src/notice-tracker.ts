import { Injectable, Optional } from '@nestjs/common';
import type { Clock } from '@diapason/domain';
import type { DiapasonConfig } from '@diapason/config';
import { InjectClock, InjectConfig } from '@diapason/config';
import { DossierLifecycle, EvidenceKind } from '@diapason/lifecycle';
import { Actor, DossierEntity, NoticeRepository, NoticeRow, TransactionContext } from '@diapason/persistence';
import { DiapasonMetrics } from '@diapason/metrics';
import { maskRecipient } from './masking';

export interface Evidence {
  kind: EvidenceKind;
  at: Date;
  userAgent?: string | null;
}

/**
 * What happens to a notice after it left: delivered, opened, failed. The notice row is the
 * notifier's; what it means for the dossier (acknowledgment, fallback, failure) is the lifecycle's,
 * in the same transaction.
 */
@Injectable()
export class NoticeTracker {
  constructor(
    private readonly tx: TransactionContext,
    private readonly notices: NoticeRepository,
    private readonly lifecycle: DossierLifecycle,
    @InjectConfig() private readonly config: DiapasonConfig,
    @InjectClock() private readonly clock: Clock,
    @Optional() private readonly metrics?: DiapasonMetrics,
  ) {}

  /** Whether this kind of evidence acknowledges the notice under DIAPASON_ACK_EVIDENCE. */
  counts(kind: EvidenceKind): boolean {
    return this.config.notices.ackEvidence === 'any' || kind === 'delivery_receipt' || kind === 'button';
  }

  /** A channel failed for good (refused number, undelivered SMS, bounced e-mail). */
  async recordFailure(noticeId: string, reason: string, actor: Actor): Promise<void> {
    const channel = await this.tx.run(async () => {
      const notice = await this.notices.findById(noticeId, true);
      if (!notice || notice.status === 'failed') return undefined;
      const at = this.clock.now();
      await this.notices.update(notice.id, { status: 'failed', failedAt: at, failureReason: reason.slice(0, 300) });
      await this.lifecycle.noticeFailed({
        establishmentId: notice.establishmentId,
        dossierId: notice.dossierId,
        actor,
        facts: { at, noticeId: notice.id, channel: notice.channel, recipient: maskRecipient(notice.recipient), reason },
      });
      return notice.channel;
    });
    if (channel) this.metrics?.notices.inc({ channel, outcome: 'failed' });
  }

  /**
   * Records evidence that the patient received the notice; the lifecycle decides whether it
   * acknowledges the dossier. Returns null for an unknown notice.
   */
  async acknowledge(noticeId: string, evidence: Evidence, actor: Actor): Promise<{ dossier: DossierEntity; notice: NoticeRow } | null> {
    return this.tx.run(async () => {
      const notice = await this.notices.findById(noticeId, true);
      if (!notice) return null;
      if (evidence.kind === 'delivery_receipt') {
        await this.notices.update(notice.id, { status: 'delivered', deliveredAt: evidence.at });
      } else if (notice.status !== 'opened') {
        await this.notices.update(notice.id, { status: 'opened', deliveredAt: notice.deliveredAt ?? evidence.at });
      }
      const counts = this.counts(evidence.kind);
      const dossier = await this.lifecycle.evidenceReceived({
        establishmentId: notice.establishmentId,
        dossierId: notice.dossierId,
        actor,
        facts: {
          noticeId: notice.id,
          channel: notice.channel,
          kind: evidence.kind,
          at: evidence.at,
          userAgent: evidence.userAgent ?? null,
          counts,
          notCountedWhy: counts ? undefined : 'preuve non retenue (DIAPASON_ACK_EVIDENCE=explicit)',
        },
      });
      return { dossier, notice };
    });
  }
}
