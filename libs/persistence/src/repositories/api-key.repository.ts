import { createHash, randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { v7 as uuidv7 } from 'uuid';
import { ApiKeyEntity } from '../entities';
import { TransactionContext } from '../transaction-context';

export interface ApiKeyPrincipal {
  apiKeyId: string;
  establishmentId: string;
  establishmentCode: string;
}

const KEY_PREFIX = 'dpk_';

export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

@Injectable()
export class ApiKeyRepository {
  constructor(private readonly tx: TransactionContext) {}

  /** Creates a key for the establishment and returns it in clear; only its hash is kept. */
  async create(establishmentId: string, label: string | null = null): Promise<{ id: string; key: string }> {
    // 32 random bytes: a key cannot be guessed, so a fast hash is enough to store it.
    const key = `${KEY_PREFIX}${randomBytes(32).toString('base64url')}`;
    const id = uuidv7();
    await this.tx.manager.insert(ApiKeyEntity, {
      id,
      establishmentId,
      keyHash: hashApiKey(key),
      keyPrefix: key.slice(0, 12),
      label,
    });
    return { id, key };
  }

  async findActive(key: string): Promise<ApiKeyPrincipal | null> {
    const rows: { api_key_id: string; establishment_id: string; code: string }[] = await this.tx.manager.query(
      `SELECT k.id AS api_key_id, k.establishment_id, e.code
         FROM api_key k JOIN establishment e ON e.id = k.establishment_id
        WHERE k.key_hash = $1 AND k.revoked_at IS NULL`,
      [hashApiKey(key)],
    );
    const row = rows[0];
    return row ? { apiKeyId: row.api_key_id, establishmentId: row.establishment_id, establishmentCode: row.code } : null;
  }

  async revoke(establishmentId: string, id: string, at: Date): Promise<boolean> {
    const result = await this.tx.manager.update(ApiKeyEntity, { id, establishmentId }, { revokedAt: at });
    return (result.affected ?? 0) > 0;
  }
}
