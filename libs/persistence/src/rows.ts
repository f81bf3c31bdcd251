/**
 * Raw rows come back snake_case. Every repository maps them the same way: keys to camelCase,
 * missing values to null, so that a row reads like the entity it stands for.
 */
export function camelRow<T>(row: Record<string, unknown>): T {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(row)) out[key.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase())] = value ?? null;
  return out as T;
}

export function camelRows<T>(rows: Record<string, unknown>[]): T[] {
  return rows.map((row) => camelRow<T>(row));
}

/**
 * `status IN ('a', 'b')` for statuses taken from the domain's tables, written inline rather than
 * as a parameter so that the planner can prove the partial indexes of the sweeps apply.
 */
export function statusIn(statuses: readonly string[], column = 'status'): string {
  if (statuses.length === 0) throw new Error('statusIn: no status');
  for (const s of statuses) if (!/^[a-z_]+$/.test(s)) throw new Error(`statusIn: not a status: ${s}`);
  return `${column} IN (${statuses.map((s) => `'${s}'`).join(', ')})`;
}
