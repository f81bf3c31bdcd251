import { createHash, randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { v7 as uuidv7 } from 'uuid';
import { API_KEY_SCOPES, ApiKeyScope, DEFAULT_API_KEY_SCOPES, isApiKeyScope } from '../api-key-scopes';
import { ApiKeyEntity } from '../entities';
import { TransactionContext } from '../transaction-context';

export interface ApiKeyPrincipal {
  apiKeyId: string;
  establishmentId: string;
  establishmentCode: string;
  scopes: readonly ApiKeyScope[];
}

export interface NewApiKey {
  label?: string | null;
  /** Default: `DEFAULT_API_KEY_SCOPES` (`dossiers`). */
  scopes?: readonly ApiKeyScope[];
}

const KEY_PREFIX = 'dpk_';

export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

@Injectable()
export class ApiKeyRepository {
  constructor(private readonly tx: TransactionContext) {}

  /** Creates a key for the establishment and returns it in clear; only its hash is kept. */
  async create(establishmentId: string, options: NewApiKey = {}): Promise<{ id: string; key: string }> {
    const given = options.scopes ?? DEFAULT_API_KEY_SCOPES;
    const scopes = API_KEY_SCOPES.filter((scope) => given.includes(scope));
    if (scopes.length === 0) throw new Error('An API key needs at least one scope');
    // 32 random bytes: a key cannot be guessed, so a fast hash is enough to store it.
    const key = `${KEY_PREFIX}${randomBytes(32).toString('base64url')}`;
    const id = uuidv7();
    await this.tx.manager.insert(ApiKeyEntity, {
      id,
      establishmentId,
      keyHash: hashApiKey(key),
      keyPrefix: key.slice(0, 12),
      label: options.label ?? null,
      scopes,
    });
    return { id, key };
  }

  async findActive(key: string): Promise<ApiKeyPrincipal | null> {
    const rows: { api_key_id: string; establishment_id: string; code: string; scopes: string[] }[] = await this.tx.manager.query(
      `SELECT k.id AS api_key_id, k.establishment_id, e.code, k.scopes
         FROM api_key k JOIN establishment e ON e.id = k.establishment_id
        WHERE k.key_hash = $1 AND k.revoked_at IS NULL`,
      [hashApiKey(key)],
    );
    const row = rows[0];
    if (!row) return null;
    return {
      apiKeyId: row.api_key_id,
      establishmentId: row.establishment_id,
      establishmentCode: row.code,
      // A scope this version does not know (a newer one wrote it) grants nothing here.
      scopes: row.scopes.filter(isApiKeyScope),
    };
  }

  async revoke(establishmentId: string, id: string, at: Date): Promise<boolean> {
    const result = await this.tx.manager.update(ApiKeyEntity, { id, establishmentId }, { revokedAt: at });
    return (result.affected ?? 0) > 0;
  }
}
