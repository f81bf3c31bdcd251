/**
 * What a GAP API key may do. Scopes are grants: a key may call an operation when one of its
 * scopes grants it, and a scope never takes anything away.
 *
 * - `dossiers`: dossiers (and their imprints, payment requests, cancellations), régies, alerts;
 * - `terminals`: the terminal registry and its deployment check;
 * - `webhooks`: webhook subscriptions and their deliveries;
 * - `accounting`: bank accounts, merchant contracts, a régie's DFT account, the encashment journal,
 *   bank statements;
 * - `read_only`: every read (GET, HEAD) of every area, and no write. Alone, it makes a read-only
 *   key (a reporting tool); with other scopes it adds the reads of the other areas.
 *
 * To add a scope (e.g. `accounting`): add it here, with its French label, tag its controllers with
 * `@RequireScope(...)`, and replace the `api_key_scopes_known` check in a migration.
 */
export const API_KEY_SCOPES = ['dossiers', 'terminals', 'webhooks', 'accounting', 'read_only'] as const;

export type ApiKeyScope = (typeof API_KEY_SCOPES)[number];

/** The scope that grants reads everywhere, and nothing else. */
export const READ_ONLY_SCOPE = 'read_only' satisfies ApiKeyScope;

/** The scopes an operation can require: every scope but `read_only`, which only widens the others to reads. */
export type RequiredScope = Exclude<ApiKeyScope, typeof READ_ONLY_SCOPE>;

/** Scopes of a key created without `--scopes`. */
export const DEFAULT_API_KEY_SCOPES: readonly ApiKeyScope[] = ['dossiers'];

/** What each scope opens, for the documentation and the command line (French). */
export const API_KEY_SCOPE_LABELS: Record<ApiKeyScope, string> = {
  dossiers: 'dossiers, empreintes, demandes de paiement, régies et alertes',
  terminals: 'registre des terminaux et leur vérification',
  webhooks: 'abonnements aux webhooks et leurs envois',
  accounting: 'comptes bancaires, contrats commerçants, journal des encaissements et relevés bancaires',
  read_only: 'toutes les lectures (GET), aucune écriture',
};

export function isApiKeyScope(value: string): value is ApiKeyScope {
  return (API_KEY_SCOPES as readonly string[]).includes(value);
}

/** Reads (GET, HEAD) are what `read_only` grants. */
export function isReadMethod(method: string): boolean {
  const upper = method.toUpperCase();
  return upper === 'GET' || upper === 'HEAD';
}

/** Whether a key with `granted` scopes may call an operation of `required` scope with this HTTP method. */
export function scopeAllows(granted: readonly ApiKeyScope[], required: RequiredScope, method: string): boolean {
  return granted.includes(required) || (granted.includes(READ_ONLY_SCOPE) && isReadMethod(method));
}

/** Scope names (a form's checkboxes) → the known scopes (in canonical order, once each) and the unknown names. */
export function apiKeyScopesFrom(names: readonly string[]): { scopes: ApiKeyScope[]; unknown: string[] } {
  return {
    scopes: API_KEY_SCOPES.filter((scope) => names.includes(scope)),
    unknown: names.filter((name) => !isApiKeyScope(name)),
  };
}

/** The unknown names of a `dossiers,terminals` list, and its known scopes (in canonical order, once each). */
export function parseApiKeyScopes(list: string): { scopes: ApiKeyScope[]; unknown: string[] } {
  return apiKeyScopesFrom(
    list
      .split(',')
      .map((name) => name.trim())
      .filter((name) => name !== ''),
  );
}
