import { Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { OUTBOX_CHANNEL, PgListener } from '@diapason/persistence';
import type { DiapasonConfig } from '@diapason/config';
import { InjectConfig } from '@diapason/config';
import { SchedulerService } from './scheduler.service';

/** Notices leave as soon as their transaction commits: a notification wakes the scheduler. */
@Injectable()
export class OutboxWakeUp implements OnApplicationBootstrap, OnApplicationShutdown {
  private listener: PgListener | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly dataSource: DataSource,
    private readonly scheduler: SchedulerService,
    @InjectConfig() private readonly config: DiapasonConfig,
  ) {}

  get connected(): boolean {
    return this.listener?.connected ?? false;
  }

  /** For /ready and the metrics: `disabled` when DIAPASON_WAKE_ON_NOTIFY is off. */
  get listenerState(): 'connected' | 'disconnected' | 'disabled' {
    if (!this.config.scheduler.wakeOnNotify) return 'disabled';
    return this.connected ? 'connected' : 'disconnected';
  }

  async onApplicationBootstrap(): Promise<void> {
    if (!this.config.scheduler.wakeOnNotify) return;
    this.listener = new PgListener(
      this.dataSource,
      OUTBOX_CHANNEL,
      () => {
        // Several commits in a burst make one tick.
        clearTimeout(this.timer);
        this.timer = setTimeout(() => void this.scheduler.tick(), 20);
      },
      'diapason-outbox-listener',
    );
    await this.listener.start();
  }

  async onApplicationShutdown(): Promise<void> {
    clearTimeout(this.timer);
    await this.listener?.stop();
  }
}
