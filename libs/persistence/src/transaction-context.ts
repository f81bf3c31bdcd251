import { AsyncLocalStorage } from 'node:async_hooks';
import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';

/**
 * The transaction of the current unit of work. Repositories ask it for their EntityManager, so that
 * a use case, the idempotency record of its request and the events it appends commit together.
 */
@Injectable()
export class TransactionContext {
  private readonly storage = new AsyncLocalStorage<EntityManager>();

  constructor(private readonly dataSource: DataSource) {}

  /** The manager of the running transaction, or the pool's when there is none. */
  get manager(): EntityManager {
    return this.storage.getStore() ?? this.dataSource.manager;
  }

  get inTransaction(): boolean {
    return this.storage.getStore() !== undefined;
  }

  /** Runs `work` in a transaction, joining the current one if there is one. */
  run<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    const current = this.storage.getStore();
    if (current) return work(current);
    return this.dataSource.transaction((manager) => this.storage.run(manager, () => work(manager)));
  }

  /**
   * Runs reads on one snapshot (REPEATABLE READ): a dossier and its attempts and notices are seen as
   * of one instant, never the dossier before a worker's transaction and its attempt after it.
   * Joins the current transaction if there is one.
   */
  snapshot<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    const current = this.storage.getStore();
    if (current) return work(current);
    return this.dataSource.transaction('REPEATABLE READ', (manager) => this.storage.run(manager, () => work(manager)));
  }
}
