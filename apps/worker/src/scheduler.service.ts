import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown, Optional } from '@nestjs/common';
import cron, { ScheduledTask } from 'node-cron';
import type { Clock } from '@diapason/domain';
import type { DiapasonConfig } from '@diapason/config';
import { InjectClock, InjectConfig } from '@diapason/config';
import { TransactionContext } from '@diapason/persistence';
import { DiapasonMetrics } from '@diapason/metrics';
import { SWEEPS, Sweep } from './sweep';

/** Seconds: from an empty sweep (a millisecond) to a large batch or a daily sweep (minutes). */
const SWEEP_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 900];

/**
 * Runs every sweep at each tick of DIAPASON_SCHEDULER_CRON (and a sweep with a `cron` of its own
 * on that schedule). A tick that finds the previous one still running is skipped; each sweep
 * claims its own work in PostgreSQL, so replicas can run side by side.
 */
@Injectable()
export class SchedulerService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Scheduler');
  private task: ScheduledTask | undefined;
  private readonly ownTasks: ScheduledTask[] = [];
  private running: Promise<void> | undefined;
  private readonly runningOwn = new Map<string, Promise<void>>();
  private stopping = false;
  private readonly timed: {
    duration?: ReturnType<DiapasonMetrics['histogram']>;
    items?: ReturnType<DiapasonMetrics['counter']>;
    failures?: ReturnType<DiapasonMetrics['counter']>;
  } = {};

  constructor(
    @Inject(SWEEPS) private readonly sweeps: Sweep[],
    @InjectConfig() private readonly config: DiapasonConfig,
    @InjectClock() private readonly clock: Clock,
    private readonly tx: TransactionContext,
    @Optional() metrics?: DiapasonMetrics,
  ) {
    if (metrics) {
      this.timed.duration = metrics.histogram(
        'diapason_sweep_duration_seconds',
        'Durée d’un passage de chaque balayage du worker.',
        ['sweep'],
        SWEEP_BUCKETS,
      );
      this.timed.items = metrics.counter('diapason_sweep_items_total', 'Éléments traités par chaque balayage du worker.', ['sweep']);
      this.timed.failures = metrics.counter('diapason_sweep_failures_total', 'Passages de balayage en erreur (repris au passage suivant).', [
        'sweep',
      ]);
    }
  }

  private get everyTick(): Sweep[] {
    return this.sweeps.filter((s) => s.cron === undefined);
  }

  onApplicationBootstrap(): void {
    this.task = cron.schedule(this.config.scheduler.cron, () => this.tick(), { name: 'diapason-scheduler' });
    for (const sweep of this.sweeps.filter((s) => s.cron !== undefined)) {
      this.ownTasks.push(cron.schedule(sweep.cron!, () => this.runSweep(sweep.name), { name: `diapason-${sweep.name}` }));
    }
    this.logger.log(
      `scheduler started (${this.config.scheduler.cron}, ${this.everyTick.map((s) => s.name).join(', ')}` +
        this.sweeps
          .filter((s) => s.cron !== undefined)
          .map((s) => `; ${s.name} at ${s.cron}`)
          .join('') +
        ')',
    );
  }

  /** Runs one sweep with a schedule of its own now (also used by tests); a run still going is joined. */
  runSweep(name: string): Promise<void> {
    const sweep = this.sweeps.find((s) => s.name === name);
    if (!sweep) throw new Error(`unknown sweep ${name}`);
    const current = this.runningOwn.get(name);
    if (current || this.stopping) return current ?? Promise.resolve();
    const run = this.runOne(sweep).finally(() => this.runningOwn.delete(name));
    this.runningOwn.set(name, run);
    return run;
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
    for (const sweep of this.everyTick) {
      if (this.stopping) return;
      await this.runOne(sweep);
    }
  }

  private async runOne(sweep: Sweep): Promise<void> {
    const started = performance.now();
    const labels = { sweep: sweep.name };
    try {
      const handled = sweep.exclusive ? await this.runExclusive(sweep) : await sweep.run(this.clock.now());
      if (handled > 0) {
        this.logger.log({ sweep: sweep.name, handled, ms: Math.round(performance.now() - started) }, 'sweep done');
        this.timed.items?.inc(labels, handled);
      }
    } catch (error) {
      this.timed.failures?.inc(labels);
      this.logger.error({ err: error, sweep: sweep.name }, 'sweep failed; retried at next tick');
    } finally {
      this.timed.duration?.observe(labels, (performance.now() - started) / 1000);
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
    for (const task of this.ownTasks) await task.stop();
    await this.running;
    await Promise.all([...this.runningOwn.values()]);
  }
}
