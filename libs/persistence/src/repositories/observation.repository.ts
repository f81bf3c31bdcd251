import { Injectable } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import type { DossierStatus } from '@diapason/domain';
import { statusIn } from '../rows';
import { TransactionContext } from '../transaction-context';

/** What the worker's gauges show of the work waiting in the database. Ages in seconds, 0 when nothing waits. */
export interface BacklogSnapshot {
  debitsDue: number;
  debitsDueOldestAgeSeconds: number;
  outboxBacklog: number;
  outboxOldestAgeSeconds: number;
  webhookBacklog: number;
  webhookOldestAgeSeconds: number;
  /** Final dossiers past the retention period whose personal data is not erased yet. */
  erasureDue: number;
  /** Per endpoint: age of the oldest delivery still retried after at least one failure. */
  failingEndpoints: { endpointId: string; establishment: string; ageSeconds: number }[];
}

export interface TerminalHealthRow {
  establishment: string;
  terminal: string;
  /** 1: the last exchange succeeded; 0: it failed; null: never reached. */
  up: 0 | 1 | null;
  lastSeenAt: Date | null;
}

const age = (column: string) => `coalesce(extract(epoch FROM ($1::timestamptz - min(${column}))), 0)::float8`;

/**
 * Read-only counts for the metrics. Each one goes through an index: the partial indexes of the
 * sweeps for what is due, the (establishment, status) index for the dossiers by status.
 */
@Injectable()
export class ObservationRepository {
  constructor(private readonly tx: TransactionContext) {}

  /** Dossiers by status: one index-only GROUP BY (the caller caches it, its cost grows with the table). */
  async dossiersByStatus(): Promise<Map<string, number>> {
    const rows: { status: string; n: string }[] = await this.tx.manager.query(`SELECT status, count(*) AS n FROM dossier GROUP BY status`);
    return new Map(rows.map((r) => [r.status, Number(r.n)]));
  }

  /**
   * Everything that waits, in one round trip. `dueStatuses` is the status whose debits are due (the
   * lifecycle's), `finalStatuses` the domain's final ones, `retention` a PostgreSQL interval.
   */
  async backlog(
    now: Date,
    dueStatuses: readonly DossierStatus[],
    finalStatuses: readonly DossierStatus[],
    retention: string,
  ): Promise<BacklogSnapshot> {
    const [row]: Record<string, string | number>[] = await this.tx.manager.query(
      `SELECT
         (SELECT count(*) FROM dossier WHERE ${statusIn(dueStatuses)} AND completion_due_at <= $1) AS debits_due,
         (SELECT ${age('completion_due_at')} FROM dossier WHERE ${statusIn(dueStatuses)} AND completion_due_at <= $1) AS debits_age,
         (SELECT count(*) FROM outbox WHERE status IN ('pending', 'sending')) AS outbox_backlog,
         (SELECT ${age('created_at')} FROM outbox WHERE status IN ('pending', 'sending')) AS outbox_age,
         (SELECT count(*) FROM webhook_delivery WHERE status IN ('pending', 'sending')) AS webhook_backlog,
         (SELECT ${age('created_at')} FROM webhook_delivery WHERE status IN ('pending', 'sending')) AS webhook_age,
         (SELECT count(*) FROM dossier
           WHERE personal_data_erased_at IS NULL AND closed_at IS NOT NULL AND ${statusIn(finalStatuses)}
             AND closed_at <= $1::timestamptz - $2::interval) AS erasure_due`,
      [now, retention],
    );
    const failing: { endpoint_id: string; establishment: string; age: number }[] = await this.tx.manager.query(
      `SELECT d.endpoint_id, e.code AS establishment, ${age('d.created_at')} AS age
         FROM webhook_delivery d
         JOIN webhook_endpoint w ON w.id = d.endpoint_id
         JOIN establishment e ON e.id = w.establishment_id
        WHERE d.status IN ('pending', 'sending') AND d.attempts > 0
        GROUP BY d.endpoint_id, e.code`,
      [now],
    );
    return {
      debitsDue: Number(row.debits_due),
      debitsDueOldestAgeSeconds: Number(row.debits_age),
      outboxBacklog: Number(row.outbox_backlog),
      outboxOldestAgeSeconds: Number(row.outbox_age),
      webhookBacklog: Number(row.webhook_backlog),
      webhookOldestAgeSeconds: Number(row.webhook_age),
      erasureDue: Number(row.erasure_due),
      failingEndpoints: failing.map((f) => ({ endpointId: f.endpoint_id, establishment: f.establishment, ageSeconds: Number(f.age) })),
    };
  }

  /** Every terminal's last known state, the same rule as the API's `health.status`. */
  async terminalHealth(): Promise<TerminalHealthRow[]> {
    const rows: { establishment: string; terminal: string; up: number | null; last_seen_at: Date | null }[] = await this.tx.manager.query(
      `SELECT e.code AS establishment, t.code AS terminal, t.last_seen_at,
              CASE WHEN t.last_error_at IS NOT NULL AND (t.last_seen_at IS NULL OR t.last_error_at >= t.last_seen_at) THEN 0
                   WHEN t.last_seen_at IS NOT NULL THEN 1 END AS up
         FROM terminal t JOIN establishment e ON e.id = t.establishment_id`,
    );
    return rows.map((r) => ({
      establishment: r.establishment,
      terminal: r.terminal,
      up: r.up === null ? null : r.up === 1 ? 1 : 0,
      lastSeenAt: r.last_seen_at,
    }));
  }
}

/** The pool of a DataSource (`pg`), as counted for the metrics; undefined before it is open. */
export function poolStats(dataSource: DataSource): { total: number; idle: number; waiting: number } | undefined {
  const pool = (dataSource.driver as { master?: { totalCount: number; idleCount: number; waitingCount: number } }).master;
  return pool ? { total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount } : undefined;
}
