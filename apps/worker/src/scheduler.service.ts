import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import cron, { ScheduledTask } from 'node-cron';
import type { Clock } from '@diapason/domain';
import type { DiapasonConfig } from '@diapason/config';
import { InjectClock, InjectConfig } from '@diapason/config';
import { TransactionContext } from '@diapason/persistence';
import { SWEEPS, Sweep } from './sweep';

/**
 * Runs every sweep at each tick of DIAPASON_SCHEDULER_CRON. A tick that finds the previous one
 * still running is skipped; each sweep claims its own work in PostgreSQL, so replicas can run
 * side by side.
 */
@Injectable()
export class SchedulerService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Scheduler');
  private task: ScheduledTask | undefined;
  private running: Promise<void> | undefined;
  private stopping = false;

  constructor(
    @Inject(SWEEPS) private readonly sweeps: Sweep[],
    @InjectConfig() private readonly config: DiapasonConfig,
    @InjectClock() private readonly clock: Clock,
    private readonly tx: TransactionContext,
  ) {}

  onApplicationBootstrap(): void {
    this.task = cron.schedule(this.config.scheduler.cron, () => this.tick(), { name: 'diapason-scheduler' });
    this.logger.log(`scheduler started (${this.config.scheduler.cron}, ${this.sweeps.map((s) => s.name).join(', ')})`);
  }

  /** Runs one tick now; also used by tests and by `npm run cli -- tick`. */
  tick(): Promise<void> {
    if (this.running || this.stopping) return this.running ?? Promise.resolve();
    this.running = this.runSweeps().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async runSweeps(): Promise<void> {
    for (const sweep of this.sweeps) {
      if (this.stopping) return;
      const started = performance.now();
      try {
        const handled = sweep.exclusive ? await this.runExclusive(sweep) : await sweep.run(this.clock.now());
        if (handled > 0) {
          this.logger.log({ sweep: sweep.name, handled, ms: Math.round(performance.now() - started) }, 'sweep done');
        }
      } catch (error) {
        this.logger.error({ err: error, sweep: sweep.name }, 'sweep failed; retried at next tick');
      }
    }
  }

  private runExclusive(sweep: Sweep): Promise<number> {
    return this.tx.run(async (manager) => {
      const [{ locked }] = await manager.query<{ locked: boolean }[]>(`SELECT pg_try_advisory_xact_lock(hashtext($1)) AS locked`, [
        `diapason:sweep:${sweep.name}`,
      ]);
      return locked ? sweep.run(this.clock.now()) : 0;
    });
  }

  /** SIGTERM: no new tick; the running one finishes what it claimed. */
  async onApplicationShutdown(): Promise<void> {
    this.stopping = true;
    await this.task?.stop();
    await this.running;
  }
}
