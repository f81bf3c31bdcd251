/** One kind of due work, looked for at every scheduler tick. */
export interface Sweep {
  readonly name: string;
  /**
   * Work that must be done once per tick whatever the number of workers: run under a PostgreSQL
   * advisory lock, skipped by the workers that do not get it. Claim-based sweeps leave this unset.
   */
  readonly exclusive?: boolean;
  /**
   * A cron expression of its own (a daily sweep): run on that schedule instead of at every tick.
   * Unset: at every tick of DIAPASON_SCHEDULER_CRON.
   */
  readonly cron?: string;
  /** Handles what is due at `now`; returns how many items it handled. */
  run(now: Date): Promise<number>;
}

export const SWEEPS = Symbol('SWEEPS');
export const WORKER_ID = Symbol('WORKER_ID');

/** Repeats a step that handles up to `batchSize` items until one handles fewer: the backlog is empty. */
export async function drain(step: () => Promise<number>, batchSize: number): Promise<number> {
  let total = 0;
  for (;;) {
    const n = await step();
    total += n;
    if (n < batchSize) return total;
  }
}

/** Claims a batch, handles it, and again, until a claim comes back short. */
export function drainBatches<T>(claim: () => Promise<T[]>, handle: (batch: T[]) => Promise<unknown>, batchSize: number): Promise<number> {
  return drain(async () => {
    const batch = await claim();
    if (batch.length > 0) await handle(batch);
    return batch.length;
  }, batchSize);
}
