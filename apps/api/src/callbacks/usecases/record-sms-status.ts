import { Injectable } from '@nestjs/common';
import type { Clock } from '@diapason/domain';
import { InjectClock } from '@diapason/config';
import { NoticeTracker } from '@diapason/notifier';
import { NOTICE_DELIVERY_STATUSES, NoticeDeliveryStatus, NoticeRepository, TransactionContext } from '@diapason/persistence';
import { isUuid } from '../../common/identifiers';

const TWILIO = { type: 'provider' as const, id: 'twilio' };

const isDeliveryStatus = (value: string | undefined): value is NoticeDeliveryStatus =>
  value !== undefined && (NOTICE_DELIVERY_STATUSES as readonly string[]).includes(value);

/**
 * `delivered` is the SMS acknowledgment; `undelivered` / `failed` fall back to e-mail. The delivery
 * status only moves forward (queued < sending < sent < delivered; delivered, undelivered and failed
 * are final): a replayed callback, a late `sent`, or `delivered` after `undelivered` changes nothing,
 * neither the notice nor the journal. The move and what follows from it commit together.
 */
@Injectable()
export class RecordSmsStatus {
  constructor(
    private readonly tx: TransactionContext,
    private readonly notices: NoticeRepository,
    private readonly tracker: NoticeTracker,
    @InjectClock() private readonly clock: Clock,
  ) {}

  async execute(noticeId: string | undefined, params: Record<string, string>): Promise<void> {
    const notice = noticeId && isUuid(noticeId) ? await this.notices.findById(noticeId.toLowerCase()) : null;
    if (!notice || (notice.providerId && params.MessageSid && notice.providerId !== params.MessageSid)) return;
    const status = params.MessageStatus ?? params.SmsStatus;
    if (!isDeliveryStatus(status)) return;
    await this.tx.run(async () => {
      const at = this.clock.now();
      if (!(await this.notices.advanceDeliveryStatus(notice.id, status, at))) return;
      if (status === 'delivered') {
        await this.tracker.acknowledge(notice.id, { kind: 'delivery_receipt', at, userAgent: null }, TWILIO);
      } else if (status === 'undelivered' || status === 'failed') {
        await this.tracker.recordFailure(
          notice.id,
          `SMS non remis (${status}${params.ErrorCode ? `, code ${params.ErrorCode}` : ''}) : numéro erroné ou injoignable.`,
          TWILIO,
        );
      }
    });
  }
}
