import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { OUTBOX_CHANNEL } from '@diapason/persistence';
import { SchedulerService } from './scheduler.service';
import type { DiapasonConfig } from '@diapason/config';
import { InjectConfig } from '@diapason/config';

/** Notices leave as soon as their transaction commits: a notification wakes the scheduler. */
@Injectable()
export class OutboxWakeUp implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('OutboxWakeUp');
  private client: Client | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly dataSource: DataSource,
    private readonly scheduler: SchedulerService,
    @InjectConfig() private readonly config: DiapasonConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (!this.config.scheduler.wakeOnNotify) return;
    const url = (this.dataSource.options as { url?: string }).url;
    this.client = new Client({ connectionString: url, application_name: 'diapason-outbox-listener' });
    this.client.on('error', (error) => this.logger.warn({ err: error }, 'outbox listener lost; the cron tick still runs'));
    await this.client.connect();
    this.client.on('notification', () => {
      // Several commits in a burst make one tick.
      clearTimeout(this.timer);
      this.timer = setTimeout(() => void this.scheduler.tick(), 20);
    });
    await this.client.query(`LISTEN ${OUTBOX_CHANNEL}`);
  }

  async onApplicationShutdown(): Promise<void> {
    clearTimeout(this.timer);
    await this.client?.end().catch(() => undefined);
  }
}
