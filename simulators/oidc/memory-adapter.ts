import type { Adapter, AdapterFactory, AdapterPayload } from 'oidc-provider';

const GRANTABLE = new Set([
  'AccessToken',
  'AuthorizationCode',
  'RefreshToken',
  'DeviceCode',
  'BackchannelAuthenticationRequest',
  'PreAuthorizedCode',
]);

/**
 * oidc-provider's built-in memory adapter keeps one store per process (module-level), so two
 * simulators started by the same test process would share sessions and grants. This one keeps a
 * store per simulator instance. Entries expire lazily on read; nothing survives a restart.
 */
export function memoryAdapterFactory(): AdapterFactory {
  const store = new Map<string, { model: string; payload: AdapterPayload; expiresAt: number }>();
  const now = () => Date.now();
  const live = (key: string) => {
    const entry = store.get(key);
    if (!entry) return undefined;
    if (entry.expiresAt <= now()) {
      store.delete(key);
      return undefined;
    }
    return entry;
  };
  const findWhere = (model: string, test: (p: AdapterPayload) => boolean) => {
    for (const [key, entry] of store) {
      if (entry.model === model && test(entry.payload) && live(key)) return entry.payload;
    }
    return undefined;
  };

  return (model: string): Adapter => {
    const key = (id: string) => `${model}:${id}`;
    return {
      async upsert(id, payload, expiresIn) {
        store.set(key(id), { model, payload: { ...payload }, expiresAt: typeof expiresIn === 'number' ? now() + expiresIn * 1000 : Infinity });
      },
      async find(id) {
        return live(key(id))?.payload;
      },
      async findByUid(uid) {
        return findWhere(model, (p) => p.uid === uid);
      },
      async findByUserCode(userCode) {
        return findWhere(model, (p) => p.userCode === userCode);
      },
      async consume(id) {
        const entry = live(key(id));
        if (entry) entry.payload.consumed = Math.floor(now() / 1000);
      },
      async destroy(id) {
        store.delete(key(id));
      },
      async revokeByGrantId(grantId) {
        for (const [k, entry] of store) {
          if (GRANTABLE.has(entry.model) && entry.payload.grantId === grantId) store.delete(k);
        }
      },
    };
  };
}
