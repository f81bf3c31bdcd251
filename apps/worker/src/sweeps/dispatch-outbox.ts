import { Injectable, Logger } from '@nestjs/common';
import pMap from 'p-map';
import type { Clock } from '@diapason/domain';
import type { DiapasonConfig } from '@diapason/config';
import { InjectClock, InjectConfig } from '@diapason/config';
import { NOTICE_SEND } from '@diapason/lifecycle';
import { NoticeDispatcher, PreparedNotice, SentNotice, WebhookDispatcher } from '@diapason/notifier';
import { OutboxItem, OutboxRepository, WebhookRepository } from '@diapason/persistence';
import { Sweep, drainBatches } from '../sweep';

/** After this many failed attempts (about 2 hours of backoff), the channel is given up. */
const MAX_ATTEMPTS = 12;

export function outboxBackoffMs(attempts: number): number {
  return Math.min(1000 * 2 ** attempts, 30 * 60_000);
}

/** Sends what transactions left in the outbox: patient notices. */
@Injectable()
export class DispatchOutbox implements Sweep {
  readonly name = 'dispatch-outbox';
  private readonly logger = new Logger('Outbox');

  constructor(
    private readonly outbox: OutboxRepository,
    private readonly notices: NoticeDispatcher,
    @InjectConfig() private readonly config: DiapasonConfig,
    @InjectClock() private readonly clock: Clock,
  ) {}

  /**
   * A claimed item is leased for DIAPASON_OUTBOX_LEASE, renewed every third of it while the worker
   * is on it (a provider may be slow): only a worker that died loses its items, to another worker
   * after the lease. The notice dispatcher then asks the provider before sending again.
   */
  run(now: Date): Promise<number> {
    const size = this.config.scheduler.batchSize;
    const leaseMs = this.config.scheduler.outboxLeaseMs;
    return drainBatches(
      () => this.outbox.claim(now, size, leaseMs),
      async (items) => {
        const working = new Map(items.map((item) => [item.id, item]));
        const beat = setInterval(
          () => {
            const until = new Date(this.clock.now().getTime() + leaseMs);
            this.outbox
              .renew([...working.values()], until)
              .catch((error: unknown) => this.logger.warn({ err: error }, 'outbox lease renewal failed'));
          },
          Math.max(100, Math.floor(leaseMs / 3)),
        );
        try {
          await this.handleBatch(items);
        } finally {
          clearInterval(beat);
        }
      },
      size,
    );
  }

  /**
   * Prepares the batch's notices in one transaction (a few set-based statements whatever its
   * size), sends them side by side, then records those that went out in one transaction and marks
   * the items done in one statement: a few round trips per batch rather than per notice. If the
   * preparation fails, every notice item of the batch is retried; if the record fails, the items
   * are retried: their notices, still `sending`, are looked up at the provider before anything is
   * sent again.
   */
  private async handleBatch(items: OutboxItem[]): Promise<void> {
    const done: string[] = items.filter((item) => item.kind !== NOTICE_SEND).map((item) => item.id);
    const noticeItems = items.filter((item) => item.kind === NOTICE_SEND);
    const sent: { item: OutboxItem; notice: SentNotice }[] = [];
    let prepared: (PreparedNotice | null)[] = [];
    try {
      prepared = await this.notices.prepareMany(noticeItems);
    } catch (error) {
      for (const item of noticeItems) await this.failed(item, error);
      await this.outbox.doneMany(done, this.clock.now());
      return;
    }
    await pMap(
      noticeItems,
      async (item, i) => {
        const ready = prepared[i];
        try {
          const notice = ready ? await this.notices.sendPrepared(ready) : null;
          if (notice) sent.push({ item, notice });
          else done.push(item.id);
        } catch (error) {
          await this.failed(item, error);
        }
      },
      { concurrency: 16 },
    );
    try {
      await this.notices.recordSent(sent.map((s) => s.notice));
      done.push(...sent.map((s) => s.item.id));
    } catch (error) {
      for (const { item } of sent) await this.failed(item, error);
    }
    await this.outbox.doneMany(done, this.clock.now());
  }

  private async failed(item: OutboxItem, error: unknown): Promise<void> {
    const message = error instanceof Error ? error.message : String(error);
    try {
      if (item.attempts >= MAX_ATTEMPTS) {
        this.logger.error({ item: item.id, err: error }, 'outbox item given up');
        if (item.kind === NOTICE_SEND) await this.notices.giveUp(item, message).catch(() => undefined);
        await this.outbox.dead(item.id, this.clock.now(), message);
        return;
      }
      this.logger.warn({ item: item.id, attempts: item.attempts, err: error }, 'outbox item failed; retried later');
      await this.outbox.retryAt(item.id, new Date(this.clock.now().getTime() + outboxBackoffMs(item.attempts)), message);
    } catch (failure) {
      // The lease lapses and the item is taken again.
      this.logger.error({ item: item.id, err: failure }, 'outbox item outcome could not be recorded');
    }
  }
}

/** Delivers GAP webhooks that are due (first attempts and retries). */
@Injectable()
export class DeliverWebhooks implements Sweep {
  readonly name = 'deliver-webhooks';

  constructor(
    private readonly webhooks: WebhookRepository,
    private readonly dispatcher: WebhookDispatcher,
    @InjectConfig() private readonly config: DiapasonConfig,
  ) {}

  run(now: Date): Promise<number> {
    const size = this.config.scheduler.batchSize;
    return drainBatches(
      () => this.webhooks.claim(now, size, this.config.webhooks.timeoutMs * 3),
      (due) => pMap(due, (d) => this.dispatcher.deliver(d), { concurrency: 16 }),
      size,
    );
  }
}
