import { Injectable, Optional } from '@nestjs/common';
import type { Clock } from '@diapason/domain';
import type { DiapasonConfig } from '@diapason/config';
import { InjectClock, InjectConfig } from '@diapason/config';
import { DossierLifecycle, EvidenceKind, EvidenceNotCounted } from '@diapason/lifecycle';
import { Actor, DossierEntity, NoticeRepository, NoticeRow, TransactionContext } from '@diapason/persistence';
import { DiapasonMetrics } from '@diapason/metrics';
import { automatedFetch } from './automated-fetch';
import { maskContactsIn, maskRecipient } from './masking';

export interface Evidence {
  kind: EvidenceKind;
  at: Date;
  userAgent?: string | null;
  /** HTTP method of the request that brought it, for the link and the pixel (HEAD never counts). */
  method?: string;
}

/** Whether a piece of evidence acknowledges the notice, and if not, why (code and French text). */
export type EvidenceJudgement = { counts: true } | { counts: false; reason: Exclude<EvidenceNotCounted, 'status'>; why: string };

const AUTOMATED_WHY: Record<'head' | 'image_proxy' | 'link_scanner', (match: string) => string> = {
  head: () => 'requête HEAD : rien n’a été affiché au patient',
  image_proxy: (match) => `images chargées par le proxy d’une messagerie (${match}), que le courriel ait été ouvert ou non`,
  link_scanner: (match) => `lien consulté par un automate (passerelle de sécurité, aperçu, robot : ${match})`,
};

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

  /**
   * The evidence rule. A fetch of the link or of the pixel never counts when it is a HEAD request or
   * comes from a machine (link scanner, image proxy: see automated-fetch.ts), whatever the setting;
   * otherwise DIAPASON_ACK_EVIDENCE decides. The SMS receipt and the page's button are not fetches.
   */
  judge(evidence: Evidence): EvidenceJudgement {
    if (evidence.kind === 'link' || evidence.kind === 'pixel') {
      const automated = automatedFetch(evidence.kind, evidence.method ?? 'GET', evidence.userAgent);
      if (automated) return { counts: false, reason: automated.reason, why: AUTOMATED_WHY[automated.reason](automated.match) };
    }
    if (!this.counts(evidence.kind)) return { counts: false, reason: 'rule', why: 'preuve non retenue (DIAPASON_ACK_EVIDENCE=explicit)' };
    return { counts: true };
  }

  /**
   * A channel failed for good (refused number, undelivered SMS, bounced e-mail). Providers quote the
   * recipient in their messages (« 550 5.1.1 <…@…> »): every address and number in the reason is
   * masked before it is kept or told anyone (notice row, journal, webhooks).
   */
  async recordFailure(noticeId: string, providerReason: string, actor: Actor): Promise<void> {
    const reason = maskContactsIn(providerReason).slice(0, 300);
    const channel = await this.tx.run(async () => {
      const notice = await this.notices.findById(noticeId, true);
      if (!notice || notice.status === 'failed') return undefined;
      const at = this.clock.now();
      await this.notices.update(notice.id, { status: 'failed', failedAt: at, failureReason: reason });
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
      const judgement = this.judge(evidence);
      const automated = !judgement.counts && judgement.reason !== 'rule';
      if (evidence.kind === 'delivery_receipt') {
        // The receipt never moves a notice back (an opened notice stays opened, a failed one failed).
        if (notice.status === 'pending' || notice.status === 'sending' || notice.status === 'sent') {
          await this.notices.update(notice.id, { status: 'delivered', deliveredAt: evidence.at });
        } else if (!notice.deliveredAt) {
          await this.notices.update(notice.id, { deliveredAt: evidence.at });
        }
      } else if (notice.status !== 'opened' && !automated) {
        // A machine's fetch says nothing of the patient: the notice is not marked opened for it.
        await this.notices.update(notice.id, { status: 'opened', deliveredAt: notice.deliveredAt ?? evidence.at });
      }
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
          counts: judgement.counts,
          ...(judgement.counts ? {} : { notCountedReason: judgement.reason, notCountedWhy: judgement.why }),
        },
      });
      return { dossier, notice };
    });
  }
}
