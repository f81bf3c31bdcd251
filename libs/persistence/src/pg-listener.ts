import { Logger } from '@nestjs/common';
import { Client } from 'pg';
import type { DataSource } from 'typeorm';

const MIN_BACKOFF_MS = 500;
const MAX_BACKOFF_MS = 30_000;

/**
 * A dedicated connection LISTENing on one channel. Notifications only make work start sooner
 * (every listener also polls), so a lost connection is re-established with backoff, and `onNotify`
 * runs once after each reconnection for whatever was announced while it was away.
 */
export class PgListener {
  private readonly logger: Logger;
  private client: Client | undefined;
  private stopped = false;
  private failures = 0;
  private retry: NodeJS.Timeout | undefined;

  constructor(
    private readonly dataSource: DataSource,
    private readonly channel: string,
    private readonly onNotify: () => void,
    private readonly applicationName: string,
  ) {
    this.logger = new Logger(applicationName);
  }

  get connected(): boolean {
    return this.client !== undefined;
  }

  /** Connects once; a first failure is thrown, later ones are retried. */
  async start(): Promise<void> {
    await this.connect();
  }

  private async connect(): Promise<void> {
    const url = (this.dataSource.options as { url?: string }).url;
    const client = new Client({ connectionString: url, application_name: this.applicationName });
    const lost = (error?: Error) => {
      if (this.client !== client) return;
      this.client = undefined;
      client.removeAllListeners('notification');
      void client.end().catch(() => undefined);
      if (this.stopped) return;
      this.logger.warn({ err: error, channel: this.channel }, 'listener connection lost; polling until it is back');
      this.schedule();
    };
    client.on('error', lost);
    client.on('end', () => lost());
    await client.connect();
    client.on('notification', () => this.onNotify());
    await client.query(`LISTEN ${this.channel}`);
    this.client = client;
    this.failures = 0;
  }

  private schedule(): void {
    const delay = Math.min(MAX_BACKOFF_MS, MIN_BACKOFF_MS * 2 ** this.failures);
    this.failures += 1;
    this.retry = setTimeout(() => {
      this.connect()
        .then(() => {
          this.logger.log({ channel: this.channel }, 'listener connection back');
          this.onNotify();
        })
        .catch(() => {
          if (!this.stopped) this.schedule();
        });
    }, delay);
    this.retry.unref();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retry);
    const client = this.client;
    this.client = undefined;
    await client?.end().catch(() => undefined);
  }
}
