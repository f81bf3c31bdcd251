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

/** A claimed batch of outbox items, until it is recorded. */
interface Batch {
  items: OutboxItem[];
  /** Items not back from their provider yet. */
  left: number;
  sent: { item: OutboxItem; notice: SentNotice }[];
  done: string[];
}

/** A batch claimed and prepared (each notice item's preparation by item id), or why not. */
type Taken = { batch: Batch; ready: Map<string, PreparedNotice | null> } | { error: unknown };

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
   *
   * Batches flow without a pause between them: a batch is claimed and prepared (one transaction of
   * a few set-based statements, see `NoticeDispatcher.prepareMany`) while the previous one is
   * being sent, its notices are sent side by side (at most 16 at once, across batches),
   * and a batch whose last notice is back is recorded (the notices that went out in one
   * transaction, the items done in one statement) while the next one is being sent. Records are
   * made one batch after the other.
   */
  async run(now: Date): Promise<number> {
    const size = this.config.scheduler.batchSize;
    const leaseMs = this.config.scheduler.outboxLeaseMs;
    const working = new Map<string, OutboxItem>();
    const beat = setInterval(
      () => {
        if (working.size === 0) return;
        const until = new Date(this.clock.now().getTime() + leaseMs);
        this.outbox.renew([...working.values()], until).catch((error: unknown) => this.logger.warn({ err: error }, 'outbox lease renewal failed'));
      },
      Math.max(100, Math.floor(leaseMs / 3)),
    );
    let total = 0;
    let recording: Promise<void> = Promise.resolve();
    let failure: unknown;
    const record = (batch: Batch) => {
      recording = recording.then(() =>
        this.record(batch)
          .catch((error: unknown) => {
            failure ??= error;
          })
          .finally(() => {
            for (const item of batch.items) working.delete(item.id);
          }),
      );
    };
    // Claims and prepares a batch; never rejects (a prefetched batch may wait unobserved).
    const take = async (): Promise<Taken> => {
      try {
        const items = await this.outbox.claim(now, size, leaseMs);
        total += items.length;
        for (const item of items) working.set(item.id, item);
        const batch: Batch = { items, left: items.length, sent: [], done: [] };
        const noticeItems = items.filter((item) => item.kind === NOTICE_SEND);
        try {
          const prepared = await this.notices.prepareMany(noticeItems);
          return { batch, ready: new Map(noticeItems.map((item, i) => [item.id, prepared[i]])) };
        } catch (error) {
          for (const item of noticeItems) await this.failed(item, error);
          batch.done = items.filter((item) => item.kind !== NOTICE_SEND).map((item) => item.id);
          batch.left = 0;
          record(batch);
          return { batch, ready: new Map() };
        }
      } catch (error) {
        return { error };
      }
    };
    // The next batch is claimed and prepared while this one is sent: no pause between batches.
    const claimed = async function* (): AsyncGenerator<{ item: OutboxItem; ready: PreparedNotice | null; batch: Batch }> {
      let next: Promise<Taken> | null = take();
      while (next) {
        const taken: Taken = await next;
        if ('error' in taken) {
          // Thrown once the notices under way are back and recorded.
          failure ??= taken.error;
          return;
        }
        const batch: Batch = taken.batch;
        const ready = taken.ready;
        next = batch.items.length < size ? null : take();
        if (batch.left === 0) continue;
        for (const item of batch.items) yield { item, ready: ready.get(item.id) ?? null, batch };
      }
    };
    try {
      await pMap(
        claimed(),
        async ({ item, ready, batch }) => {
          try {
            const notice = ready ? await this.notices.sendPrepared(ready) : null;
            if (notice) batch.sent.push({ item, notice });
            else batch.done.push(item.id);
          } catch (error) {
            await this.failed(item, error);
          }
          if (--batch.left === 0) record(batch);
        },
        { concurrency: 16 },
      );
    } finally {
      await recording;
      clearInterval(beat);
    }
    if (failure instanceof Error) throw failure;
    if (failure !== undefined) throw new Error('outbox sweep failed', { cause: failure });
    return total;
  }

  /**
   * Records a batch: the notices that went out in one transaction, the items done in one
   * statement. If the record fails, the items are retried: their notices, still `sending`, are
   * looked up at the provider before anything is sent again.
   */
  private async record(batch: Batch): Promise<void> {
    try {
      await this.notices.recordSent(batch.sent.map((s) => s.notice));
      batch.done.push(...batch.sent.map((s) => s.item.id));
    } catch (error) {
      for (const { item } of batch.sent) await this.failed(item, error);
    }
    await this.outbox.doneMany(batch.done, this.clock.now());
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
