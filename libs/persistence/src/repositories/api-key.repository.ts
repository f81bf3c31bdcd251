import { createHash, randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { v7 as uuidv7 } from 'uuid';
import { ApiKeyScope, apiKeyScopesFrom, DEFAULT_API_KEY_SCOPES, isApiKeyScope } from '../api-key-scopes';
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

export interface ApiKeyListing {
  id: string;
  establishmentCode: string;
  /** The first 12 characters of the key (`dpk_` and 8 more). */
  prefix: string;
  label: string | null;
  scopes: string[];
  createdAt: Date;
  revokedAt: Date | null;
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
    const { scopes } = apiKeyScopesFrom(given);
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

  /** The keys of an establishment (all of them when none is given), newest first; never the key itself. */
  async list(establishmentId?: string): Promise<ApiKeyListing[]> {
    const rows: {
      id: string;
      code: string;
      key_prefix: string;
      label: string | null;
      scopes: string[];
      created_at: Date;
      revoked_at: Date | null;
    }[] = await this.tx.manager.query(
      `SELECT k.id, e.code, k.key_prefix, k.label, k.scopes, k.created_at, k.revoked_at
           FROM api_key k JOIN establishment e ON e.id = k.establishment_id
          WHERE $1::uuid IS NULL OR k.establishment_id = $1
          ORDER BY k.created_at DESC, k.id DESC`,
      [establishmentId ?? null],
    );
    return rows.map((r) => ({
      id: r.id,
      establishmentCode: r.code,
      prefix: r.key_prefix,
      label: r.label,
      scopes: r.scopes,
      createdAt: r.created_at,
      revokedAt: r.revoked_at,
    }));
  }

  /** Revokes the keys still active whose prefix starts with `prefix` (of the establishment when given). */
  async revokeByPrefix(prefix: string, at: Date, establishmentId?: string): Promise<ApiKeyListing[]> {
    const candidates = (await this.list(establishmentId)).filter((k) => k.revokedAt === null && k.prefix.startsWith(prefix));
    if (candidates.length !== 1) return candidates;
    await this.tx.manager.update(ApiKeyEntity, { id: candidates[0].id }, { revokedAt: at });
    return [{ ...candidates[0], revokedAt: at }];
  }

  async revoke(establishmentId: string, id: string, at: Date): Promise<boolean> {
    const result = await this.tx.manager.update(ApiKeyEntity, { id, establishmentId }, { revokedAt: at });
    return (result.affected ?? 0) > 0;
  }
}
