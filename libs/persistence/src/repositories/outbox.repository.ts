import { Injectable } from '@nestjs/common';
import { leaseClaim } from '../lease-claim';
import { returnedRows } from '../raw-result';
import { camelRow } from '../rows';
import { TransactionContext } from '../transaction-context';

export interface OutboxItem {
  id: string;
  kind: string;
  establishmentId: string;
  dossierId: string | null;
  payload: Record<string, unknown>;
  attempts: number;
  createdAt: Date;
}

export const OUTBOX_CHANNEL = 'diapason_outbox';

/**
 * Side effects written in the transaction that decides them, performed by the workers after
 * commit. A claimed item is leased; a worker that dies leaves it to be claimed again.
 */
@Injectable()
export class OutboxRepository {
  constructor(private readonly tx: TransactionContext) {}

  async enqueue(item: {
    kind: string;
    establishmentId: string;
    dossierId: string | null;
    payload: Record<string, unknown>;
    at: Date;
  }): Promise<void> {
    await this.tx.manager.query(
      `INSERT INTO outbox (kind, establishment_id, dossier_id, payload, status, next_attempt_at, created_at)
       VALUES ($1, $2, $3, $4::jsonb, 'pending', $5, $5)`,
      [item.kind, item.establishmentId, item.dossierId, JSON.stringify(item.payload), item.at],
    );
    await this.tx.manager.query(`SELECT pg_notify($1, $2)`, [OUTBOX_CHANNEL, item.kind]);
  }

  async claim(now: Date, limit: number, leaseMs: number): Promise<OutboxItem[]> {
    const rows = returnedRows<Record<string, unknown>>(
      await this.tx.manager.query(`${leaseClaim('outbox')} SELECT * FROM leased`, [now, limit, new Date(now.getTime() + leaseMs)]),
    );
    return rows.map((r) => {
      const item = camelRow<OutboxItem>(r);
      return { ...item, id: String(item.id) };
    });
  }

  /**
   * The heartbeat of a worker: the items it still works on stay leased until `leaseUntil`. An item
   * is named with the attempt count of its claim, so a lease lapsed and claimed by another worker
   * (attempts moved on) is not renewed. Returns how many were.
   */
  async renew(items: Pick<OutboxItem, 'id' | 'attempts'>[], leaseUntil: Date): Promise<number> {
    if (items.length === 0) return 0;
    const result: unknown = await this.tx.manager.query(
      `UPDATE outbox SET lease_until = $3
        WHERE status = 'sending' AND (id, attempts) IN (SELECT * FROM unnest($1::bigint[], $2::int[])) RETURNING id`,
      [items.map((i) => i.id), items.map((i) => i.attempts), leaseUntil],
    );
    return returnedRows(result).length;
  }

  async doneMany(ids: string[], at: Date): Promise<void> {
    if (ids.length === 0) return;
    await this.tx.manager.query(`UPDATE outbox SET status = 'done', done_at = $2, lease_until = NULL WHERE id = ANY($1::bigint[])`, [ids, at]);
  }

  async done(id: string, at: Date): Promise<void> {
    await this.tx.manager.query(`UPDATE outbox SET status = 'done', done_at = $2, lease_until = NULL WHERE id = $1`, [id, at]);
  }

  async retryAt(id: string, at: Date, error: string): Promise<void> {
    await this.tx.manager.query(`UPDATE outbox SET status = 'pending', next_attempt_at = $2, lease_until = NULL, last_error = $3 WHERE id = $1`, [
      id,
      at,
      error.slice(0, 500),
    ]);
  }

  async dead(id: string, at: Date, error: string): Promise<void> {
    await this.tx.manager.query(`UPDATE outbox SET status = 'dead', done_at = $2, lease_until = NULL, last_error = $3 WHERE id = $1`, [
      id,
      at,
      error.slice(0, 500),
    ]);
  }

  async pending(): Promise<number> {
    const [{ n }] = await this.tx.manager.query<{ n: number }[]>(`SELECT count(*)::int AS n FROM outbox WHERE status IN ('pending', 'sending')`);
    return n;
  }
}
