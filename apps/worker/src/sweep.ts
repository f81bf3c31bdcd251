/** One kind of due work, looked for at every scheduler tick. */
export interface Sweep {
  readonly name: string;
  /** Handles what is due at `now`; returns how many items it handled. */
  run(now: Date): Promise<number>;
}

export const SWEEPS = Symbol('SWEEPS');
