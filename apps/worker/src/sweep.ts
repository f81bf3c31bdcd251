/** One kind of due work, looked for at every scheduler tick. */
export interface Sweep {
  readonly name: string;
  /**
   * Work that must be done once per tick whatever the number of workers: run under a PostgreSQL
   * advisory lock, skipped by the workers that do not get it. Claim-based sweeps leave this unset.
   */
  readonly exclusive?: boolean;
  /** Handles what is due at `now`; returns how many items it handled. */
  run(now: Date): Promise<number>;
}

export const SWEEPS = Symbol('SWEEPS');
export const WORKER_ID = Symbol('WORKER_ID');
