import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { ImprintRunner } from '../imprints/imprint-runner';
import { OutboxWakeUp } from '../outbox-wake-up';

/** A LISTEN connection of this worker: connected, or not used by this configuration. */
export type ListenerState = 'connected' | 'disconnected' | 'disabled';

export interface Readiness {
  ready: boolean;
  database: 'up' | 'down';
  listeners: Record<'outbox' | 'imprints', ListenerState>;
}

/** `/ready`: the database answers and every LISTEN connection this worker uses is up. */
@Injectable()
export class WorkerReadiness {
  constructor(
    private readonly dataSource: DataSource,
    private readonly outbox: OutboxWakeUp,
    private readonly imprints: ImprintRunner,
  ) {}

  listeners(): Readiness['listeners'] {
    return { outbox: this.outbox.listenerState, imprints: this.imprints.listenerState };
  }

  async check(timeoutMs = 2000): Promise<Readiness> {
    let database: Readiness['database'] = 'up';
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        this.dataSource.query('SELECT 1'),
        new Promise((_, reject) => {
          timer = setTimeout(() => reject(new Error('timeout')), timeoutMs);
        }),
      ]);
    } catch {
      database = 'down';
    } finally {
      clearTimeout(timer);
    }
    const listeners = this.listeners();
    const ready = database === 'up' && Object.values(listeners).every((state) => state !== 'disconnected');
    return { ready, database, listeners };
  }
}
