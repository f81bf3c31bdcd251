import { Injectable } from '@nestjs/common';
import type { Clock } from '@diapason/domain';
import { InjectClock } from '@diapason/config';
import { NoticeTracker } from '@diapason/notifier';
import { NoticeRepository } from '@diapason/persistence';
import { isUuid } from '../../common/identifiers';

const TWILIO = { type: 'provider' as const, id: 'twilio' };

/** `delivered` is the SMS acknowledgment; `undelivered` / `failed` fall back to e-mail. */
@Injectable()
export class RecordSmsStatus {
  constructor(
    private readonly notices: NoticeRepository,
    private readonly tracker: NoticeTracker,
    @InjectClock() private readonly clock: Clock,
  ) {}

  async execute(noticeId: string | undefined, params: Record<string, string>): Promise<void> {
    const notice = noticeId && isUuid(noticeId) ? await this.notices.findById(noticeId.toLowerCase()) : null;
    if (!notice || (notice.providerId && params.MessageSid && notice.providerId !== params.MessageSid)) return;
    const status = params.MessageStatus ?? params.SmsStatus;
    if (status === 'delivered') {
      await this.tracker.acknowledge(notice.id, { kind: 'delivery_receipt', at: this.clock.now(), userAgent: null }, TWILIO);
    } else if (status === 'undelivered' || status === 'failed') {
      await this.tracker.recordFailure(
        notice.id,
        `SMS non remis (${status}${params.ErrorCode ? `, code ${params.ErrorCode}` : ''}) : numéro erroné ou injoignable.`,
        TWILIO,
      );
    }
  }
}
