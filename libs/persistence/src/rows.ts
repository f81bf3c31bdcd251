import type { EntityManager, EntityTarget, ObjectLiteral } from 'typeorm';

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

/**
 * An entity from a raw row of its table (`RETURNING *`), converted column by column by the
 * driver exactly as a TypeORM read would (dates, numbers, `date` columns as strings): a write can
 * answer with the entity it wrote without reading it again.
 */
export function hydrate<T extends ObjectLiteral>(manager: EntityManager, target: EntityTarget<T>, row: Record<string, unknown>): T {
  const metadata = manager.connection.getMetadata(target);
  const driver = manager.connection.driver;
  const entity = metadata.create() as Record<string, unknown>;
  for (const column of metadata.columns) entity[column.propertyName] = driver.prepareHydratedValue(row[column.databaseName], column);
  return entity as T;
}
