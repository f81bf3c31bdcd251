/**
 * The claim shared by the queues whose rows go `pending` → `sending` → done: the due rows and the
 * ones whose worker's lease lapsed are leased to this worker in one statement, with SKIP LOCKED so
 * that workers never wait on each other. Parameters: $1 now, $2 limit, $3 lease end. The leased
 * rows are in the CTE `leased`, for the caller's SELECT to join.
 */
export function leaseClaim(table: 'outbox' | 'webhook_delivery'): string {
  return `WITH due AS (
      SELECT id FROM ${table} WHERE status = 'pending' AND next_attempt_at <= $1 ORDER BY next_attempt_at LIMIT $2 FOR UPDATE SKIP LOCKED),
    lapsed AS (
      SELECT id FROM ${table} WHERE status = 'sending' AND lease_until < $1 ORDER BY lease_until LIMIT $2 FOR UPDATE SKIP LOCKED),
    leased AS (
      UPDATE ${table} q SET status = 'sending', lease_until = $3, attempts = q.attempts + 1
       WHERE q.id IN (SELECT id FROM due UNION ALL SELECT id FROM lapsed) RETURNING q.*)`;
}
