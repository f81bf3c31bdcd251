import { V2Item, parseV2Stream } from './v2-stream';

/**
 * What arrives on a V2 line, as a queue of control bytes and frames (noise dropped), with a wait
 * bounded by a timeout. Both ends of the line use it: the register (our bridge) and the simulated
 * terminal.
 */
export class V2Receiver {
  private rest: Buffer = Buffer.alloc(0);
  private readonly items: V2Item[] = [];
  private wake: (() => void) | undefined;
  private ended = false;

  push(chunk: Buffer): void {
    const { items, rest } = parseV2Stream(Buffer.concat([this.rest, chunk]));
    this.rest = rest;
    for (const item of items) if (item.kind !== 'noise') this.items.push(item);
    this.wake?.();
  }

  /** The line is gone: waits end at once. */
  end(): void {
    this.ended = true;
    this.wake?.();
  }

  get isEnded(): boolean {
    return this.ended;
  }

  clear(): void {
    this.items.length = 0;
  }

  /** Puts an item back at the head of the queue. */
  unshift(item: V2Item): void {
    this.items.unshift(item);
  }

  /** The next item, `timeout` when none came in time, `ended` when the line is gone. */
  async next(timeoutMs: number): Promise<V2Item | { kind: 'timeout' } | { kind: 'ended' }> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const item = this.items.shift();
      if (item) return item;
      if (this.ended) return { kind: 'ended' };
      const left = deadline - Date.now();
      if (left <= 0) return { kind: 'timeout' };
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.wake = () => {
          clearTimeout(timer);
          this.wake = undefined;
          resolve();
        };
      });
    }
  }
}
