import { Injectable } from '@nestjs/common';
import { returnedRows } from '../raw-result';
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

  async enqueue(item: { kind: string; establishmentId: string; dossierId: string | null; payload: Record<string, unknown>; at: Date }): Promise<void> {
    await this.tx.manager.query(
      `INSERT INTO outbox (kind, establishment_id, dossier_id, payload, status, next_attempt_at, created_at)
       VALUES ($1, $2, $3, $4::jsonb, 'pending', $5, $5)`,
      [item.kind, item.establishmentId, item.dossierId, JSON.stringify(item.payload), item.at],
    );
    await this.tx.manager.query(`SELECT pg_notify($1, $2)`, [OUTBOX_CHANNEL, item.kind]);
  }

  async claim(now: Date, limit: number, leaseMs: number): Promise<OutboxItem[]> {
    const rows = returnedRows<Record<string, unknown>>(
      await this.tx.manager.query(
        `WITH due AS (
           SELECT id FROM outbox WHERE status = 'pending' AND next_attempt_at <= $1 ORDER BY next_attempt_at LIMIT $2 FOR UPDATE SKIP LOCKED),
         lapsed AS (
           SELECT id FROM outbox WHERE status = 'sending' AND lease_until < $1 ORDER BY lease_until LIMIT $2 FOR UPDATE SKIP LOCKED)
         UPDATE outbox o SET status = 'sending', lease_until = $3, attempts = o.attempts + 1
          WHERE o.id IN (SELECT id FROM due UNION ALL SELECT id FROM lapsed)
          RETURNING o.*`,
        [now, limit, new Date(now.getTime() + leaseMs)],
      ),
    );
    return rows.map((r) => ({
      id: String(r.id),
      kind: r.kind as string,
      establishmentId: r.establishment_id as string,
      dossierId: (r.dossier_id as string) ?? null,
      payload: r.payload as Record<string, unknown>,
      attempts: r.attempts as number,
      createdAt: r.created_at as Date,
    }));
  }

  async done(id: string, at: Date): Promise<void> {
    await this.tx.manager.query(`UPDATE outbox SET status = 'done', done_at = $2, lease_until = NULL WHERE id = $1`, [id, at]);
  }

  async retryAt(id: string, at: Date, error: string): Promise<void> {
    await this.tx.manager.query(
      `UPDATE outbox SET status = 'pending', next_attempt_at = $2, lease_until = NULL, last_error = $3 WHERE id = $1`,
      [id, at, error.slice(0, 500)],
    );
  }

  async dead(id: string, at: Date, error: string): Promise<void> {
    await this.tx.manager.query(`UPDATE outbox SET status = 'dead', done_at = $2, lease_until = NULL, last_error = $3 WHERE id = $1`, [
      id,
      at,
      error.slice(0, 500),
    ]);
  }

  async pending(): Promise<number> {
    const [{ n }] = await this.tx.manager.query(`SELECT count(*)::int AS n FROM outbox WHERE status IN ('pending', 'sending')`);
    return n;
  }
}
