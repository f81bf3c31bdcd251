import type { INestApplicationContext } from '@nestjs/common';
import { loadConfig } from '@diapason/config';
import type { ManualClock } from '@diapason/domain';
import type { HostLookup } from '@diapason/notifier';
import { createWorker } from '../../apps/worker/src/bootstrap';
import { SchedulerService } from '../../apps/worker/src/scheduler.service';
import { TEST_ENV } from './api-harness';

export interface WorkerHarness {
  app: INestApplicationContext;
  tick(): Promise<void>;
  close(): Promise<void>;
}

/** A worker in this process on the same database and clock as the API harness; ticks on demand. */
export async function startWorker(options: {
  databaseUrl: string;
  clock: ManualClock;
  env?: Record<string, string>;
  /** Resolves webhook host names in place of the system resolver. */
  hostLookup?: HostLookup;
}): Promise<WorkerHarness> {
  const config = loadConfig({
    ...TEST_ENV,
    DIAPASON_TERMINAL_RUNNER: 'false',
    DIAPASON_SCHEDULER_CRON: '0 0 1 1 *',
    DIAPASON_WAKE_ON_NOTIFY: 'false',
    // No HTTP listener unless a suite asks for one (DIAPASON_WORKER_PORT in `env`): workers of
    // parallel suites would otherwise fight for the default port.
    DIAPASON_WORKER_PORT: '0',
    // A sweep that fails says so in the test output.
    LOG_LEVEL: 'error',
    ...options.env,
    DATABASE_URL: options.databaseUrl,
  });
  const app = await createWorker(config, options.clock, { hostLookup: options.hostLookup });
  await app.init();
  const scheduler = app.get(SchedulerService);
  return { app, tick: () => scheduler.tick(), close: () => app.close() };
}
