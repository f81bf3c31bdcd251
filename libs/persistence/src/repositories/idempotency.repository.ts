import { Injectable } from '@nestjs/common';
import { IdempotencyKeyEntity } from '../entities';
import { affectedCount } from '../raw-result';
import { TransactionContext } from '../transaction-context';

export interface StoredResponse {
  fingerprint: string;
  status: number | null;
  body: unknown;
}

@Injectable()
export class IdempotencyRepository {
  constructor(private readonly tx: TransactionContext) {}

  /**
   * Claims the key inside the current transaction. A concurrent claim of the same key waits on the
   * primary key until the first transaction ends, then sees its committed answer: returns null here
   * when someone else holds or held the key.
   */
  async claim(establishmentId: string, key: string, fingerprint: string): Promise<boolean> {
    const rows: unknown[] = await this.tx.manager.query(
      `INSERT INTO idempotency_key (establishment_id, key, fingerprint) VALUES ($1, $2, $3)
       ON CONFLICT (establishment_id, key) DO NOTHING RETURNING key`,
      [establishmentId, key, fingerprint],
    );
    return rows.length === 1;
  }

  async find(establishmentId: string, key: string): Promise<StoredResponse | null> {
    const row = await this.tx.manager.findOneBy(IdempotencyKeyEntity, { establishmentId, key });
    return row ? { fingerprint: row.fingerprint, status: row.responseStatus, body: row.responseBody } : null;
  }

  async saveResponse(establishmentId: string, key: string, status: number, body: unknown): Promise<void> {
    await this.tx.manager.query(
      `UPDATE idempotency_key SET response_status = $3, response_body = $4::json WHERE establishment_id = $1 AND key = $2`,
      [establishmentId, key, status, JSON.stringify(body ?? null)],
    );
  }

  /** Keys are kept long enough for any GAP retry policy, then forgotten. */
  async purgeOlderThan(before: Date): Promise<number> {
    return affectedCount(await this.tx.manager.query(`DELETE FROM idempotency_key WHERE created_at < $1`, [before]));
  }
}
