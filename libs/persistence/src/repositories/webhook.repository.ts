import { Injectable } from '@nestjs/common';
import { leaseClaim } from '../lease-claim';
import { returnedRows } from '../raw-result';
import { camelRow } from '../rows';
import { TransactionContext } from '../transaction-context';

export interface WebhookEndpointRow {
  id: string;
  establishmentId: string;
  url: string;
  secret: string;
  eventTypes: string[];
  createdAt: Date;
  deletedAt: Date | null;
}

export interface WebhookDeliveryRow {
  id: string;
  endpointId: string;
  eventId: string;
  status: 'pending' | 'sending' | 'delivered' | 'failed';
  attempts: number;
  nextAttemptAt: Date;
  lastStatusCode: number | null;
  lastError: string | null;
  createdAt: Date;
  deliveredAt: Date | null;
  eventType?: string;
}

export interface ClaimedDelivery extends WebhookDeliveryRow {
  url: string;
  secret: string;
  event: {
    id: string;
    type: string;
    at: Date;
    fromStatus: string | null;
    toStatus: string | null;
    details: Record<string, unknown>;
    dossierId: string;
    gapDossierNumber: string;
    status: string;
    establishmentCode: string;
  };
}

const endpoint = (r: Record<string, unknown>): WebhookEndpointRow => camelRow<WebhookEndpointRow>(r);
const delivery = (r: Record<string, unknown>): WebhookDeliveryRow => {
  const row = camelRow<WebhookDeliveryRow>(r);
  return { ...row, eventId: String(row.eventId), eventType: row.eventType ?? undefined };
};

@Injectable()
export class WebhookRepository {
  constructor(private readonly tx: TransactionContext) {}

  async createEndpoint(row: Omit<WebhookEndpointRow, 'deletedAt'>): Promise<void> {
    await this.tx.manager.query(
      `INSERT INTO webhook_endpoint (id, establishment_id, url, secret, event_types, created_at) VALUES ($1, $2, $3, $4, $5, $6)`,
      [row.id, row.establishmentId, row.url, row.secret, row.eventTypes, row.createdAt],
    );
  }

  /**
   * Creates the endpoint unless the establishment already has `max` live ones (then false).
   * Registrations of one establishment are serialised by a transaction-scoped advisory lock, so that
   * two concurrent requests cannot both take the last place.
   */
  createEndpointWithin(row: Omit<WebhookEndpointRow, 'deletedAt'>, max: number): Promise<boolean> {
    return this.tx.run(async (manager) => {
      await manager.query(`SELECT pg_advisory_xact_lock(hashtext('diapason:webhook-endpoints:' || $1))`, [row.establishmentId]);
      const [{ count }] = await manager.query<{ count: number }[]>(
        `SELECT count(*)::int AS count FROM webhook_endpoint WHERE establishment_id = $1 AND deleted_at IS NULL`,
        [row.establishmentId],
      );
      if (count >= max) return false;
      await this.createEndpoint(row);
      return true;
    });
  }

  async listEndpoints(establishmentId: string): Promise<WebhookEndpointRow[]> {
    const rows: Record<string, unknown>[] = await this.tx.manager.query(
      `SELECT * FROM webhook_endpoint WHERE establishment_id = $1 AND deleted_at IS NULL ORDER BY created_at`,
      [establishmentId],
    );
    return rows.map(endpoint);
  }

  async findEndpoint(establishmentId: string, id: string): Promise<WebhookEndpointRow | null> {
    const rows: Record<string, unknown>[] = await this.tx.manager.query(
      `SELECT * FROM webhook_endpoint WHERE establishment_id = $1 AND id = $2 AND deleted_at IS NULL`,
      [establishmentId, id],
    );
    return rows[0] ? endpoint(rows[0]) : null;
  }

  /** Stops the endpoint and drops what was still to be delivered to it. */
  async deleteEndpoint(establishmentId: string, id: string, at: Date): Promise<boolean> {
    const rows = returnedRows(
      await this.tx.manager.query(
        `UPDATE webhook_endpoint SET deleted_at = $3 WHERE establishment_id = $1 AND id = $2 AND deleted_at IS NULL RETURNING id`,
        [establishmentId, id, at],
      ),
    );
    if (rows.length === 0) return false;
    await this.tx.manager.query(
      `UPDATE webhook_delivery SET status = 'failed', last_error = 'endpoint deleted', lease_until = NULL
        WHERE endpoint_id = $1 AND status IN ('pending', 'sending')`,
      [id],
    );
    return true;
  }

  async deliveries(endpointId: string, limit: number, beforeCreatedAt?: Date): Promise<(WebhookDeliveryRow & { attemptsLog: unknown[] })[]> {
    const rows: Record<string, unknown>[] = await this.tx.manager.query(
      `SELECT d.*, e.type AS event_type,
              coalesce((SELECT json_agg(json_build_object('at', a.at, 'statusCode', a.status_code, 'error', a.error, 'durationMs', a.duration_ms) ORDER BY a.id)
                          FROM webhook_attempt a WHERE a.delivery_id = d.id), '[]') AS attempts_log
         FROM webhook_delivery d JOIN dossier_event e ON e.id = d.event_id
        WHERE d.endpoint_id = $1 AND ($3::timestamptz IS NULL OR d.created_at < $3)
        ORDER BY d.created_at DESC, d.event_id DESC LIMIT $2`,
      [endpointId, limit, beforeCreatedAt ?? null],
    );
    return rows.map((r) => ({ ...delivery(r), attemptsLog: r.attempts_log as unknown[] }));
  }

  async claim(now: Date, limit: number, leaseMs: number): Promise<ClaimedDelivery[]> {
    const rows = returnedRows<Record<string, unknown>>(
      await this.tx.manager.query(
        `${leaseClaim('webhook_delivery')}
         SELECT l.*, w.url, w.secret, e.type AS event_type, e.at AS event_at, e.from_status, e.to_status, e.details,
                e.dossier_id, ds.gap_dossier_number, ds.status AS dossier_status, est.code AS establishment_code
           FROM leased l
           JOIN webhook_endpoint w ON w.id = l.endpoint_id
           JOIN dossier_event e ON e.id = l.event_id
           JOIN dossier ds ON ds.id = e.dossier_id
           JOIN establishment est ON est.id = w.establishment_id`,
        [now, limit, new Date(now.getTime() + leaseMs)],
      ),
    );
    return rows.map((r) => ({
      ...delivery(r),
      url: r.url as string,
      secret: r.secret as string,
      event: {
        id: String(r.event_id),
        type: r.event_type as string,
        at: r.event_at as Date,
        fromStatus: (r.from_status as string) ?? null,
        toStatus: (r.to_status as string) ?? null,
        details: r.details as Record<string, unknown>,
        dossierId: r.dossier_id as string,
        gapDossierNumber: r.gap_dossier_number as string,
        status: r.dossier_status as string,
        establishmentCode: r.establishment_code as string,
      },
    }));
  }

  async recordAttempt(
    deliveryId: string,
    attempt: { at: Date; statusCode: number | null; error: string | null; durationMs: number },
    next: { status: 'delivered' | 'pending' | 'failed'; nextAttemptAt?: Date },
  ): Promise<void> {
    await this.tx.run(async (manager) => {
      await manager.query(`INSERT INTO webhook_attempt (delivery_id, at, status_code, error, duration_ms) VALUES ($1, $2, $3, $4, $5)`, [
        deliveryId,
        attempt.at,
        attempt.statusCode,
        attempt.error?.slice(0, 500) ?? null,
        Math.round(attempt.durationMs),
      ]);
      await manager.query(
        `UPDATE webhook_delivery SET status = $2, lease_until = NULL, last_status_code = $3, last_error = $4,
                next_attempt_at = coalesce($5, next_attempt_at),
                delivered_at = CASE WHEN $2::varchar = 'delivered' THEN $6::timestamptz ELSE delivered_at END
          WHERE id = $1 AND status = 'sending'`,
        [deliveryId, next.status, attempt.statusCode, attempt.error?.slice(0, 500) ?? null, next.nextAttemptAt ?? null, attempt.at],
      );
    });
  }
}
