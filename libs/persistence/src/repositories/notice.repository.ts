import { Injectable } from '@nestjs/common';
import { returnedRows } from '../raw-result';
import { camelRow } from '../rows';
import { TransactionContext } from '../transaction-context';

export type NoticeChannel = 'sms' | 'email';
export type NoticeStatus = 'pending' | 'sending' | 'sent' | 'delivered' | 'opened' | 'failed';

/** The SMS provider's delivery statuses we keep, in the order they can only move (see the migration). */
export const NOTICE_DELIVERY_STATUSES = ['queued', 'sending', 'sent', 'delivered', 'undelivered', 'failed'] as const;
export type NoticeDeliveryStatus = (typeof NOTICE_DELIVERY_STATUSES)[number];

export interface NoticeRow {
  id: string;
  dossierId: string;
  establishmentId: string;
  channel: NoticeChannel;
  recipient: string;
  status: NoticeStatus;
  providerId: string | null;
  segments: number | null;
  sendStartedAt: Date | null;
  sentAt: Date | null;
  deliveredAt: Date | null;
  failedAt: Date | null;
  failureReason: string | null;
  /** Last delivery status the SMS provider reported; null before the first report. */
  deliveryStatus: NoticeDeliveryStatus | null;
  deliveryStatusAt: Date | null;
  createdAt: Date;
}

const map = (r: Record<string, unknown>): NoticeRow => camelRow<NoticeRow>(r);

/** One notice per dossier and channel: the database itself refuses a second one. */
@Injectable()
export class NoticeRepository {
  constructor(private readonly tx: TransactionContext) {}

  async ensure(notice: Pick<NoticeRow, 'id' | 'dossierId' | 'establishmentId' | 'channel' | 'recipient' | 'createdAt'>): Promise<NoticeRow> {
    await this.tx.manager.query(
      `INSERT INTO notice (id, dossier_id, establishment_id, channel, recipient, status, created_at)
       VALUES ($1, $2, $3, $4, $5, 'pending', $6) ON CONFLICT (dossier_id, channel) DO NOTHING`,
      [notice.id, notice.dossierId, notice.establishmentId, notice.channel, notice.recipient, notice.createdAt],
    );
    return (await this.findByChannel(notice.dossierId, notice.channel))!;
  }

  /**
   * Inserts the notices of a batch in one statement, each unless its dossier already has one on
   * that channel (the unique constraint decides). Rows are inserted in (dossier, channel) order so
   * that two workers inserting overlapping batches wait on each other rather than deadlock. Returns
   * the rows this call inserted; a notice another transaction inserted first is not among them.
   */
  async ensureMany(notices: Pick<NoticeRow, 'id' | 'dossierId' | 'establishmentId' | 'channel' | 'recipient' | 'createdAt'>[]): Promise<NoticeRow[]> {
    if (notices.length === 0) return [];
    const rows: Record<string, unknown>[] = await this.tx.manager.query(
      `INSERT INTO notice (id, dossier_id, establishment_id, channel, recipient, status, created_at)
       SELECT x.id, x.dossier_id, x.establishment_id, x.channel, x.recipient, 'pending', x.created_at
         FROM jsonb_to_recordset($1::jsonb) AS x(id uuid, dossier_id uuid, establishment_id uuid, channel varchar, recipient varchar, created_at timestamptz)
        ORDER BY x.dossier_id, x.channel
       ON CONFLICT (dossier_id, channel) DO NOTHING
       RETURNING *`,
      [
        JSON.stringify(
          notices.map((n) => ({
            id: n.id,
            dossier_id: n.dossierId,
            establishment_id: n.establishmentId,
            channel: n.channel,
            recipient: n.recipient,
            created_at: n.createdAt.toISOString(),
          })),
        ),
      ],
    );
    return returnedRows<Record<string, unknown>>(rows).map(map);
  }

  /** The notices of these (dossier, channel) pairs, in one query; `lock` takes them FOR UPDATE, in id order. */
  async findByChannels(keys: { dossierId: string; channel: NoticeChannel }[], lock = false): Promise<NoticeRow[]> {
    if (keys.length === 0) return [];
    const rows: Record<string, unknown>[] = await this.tx.manager.query(
      `SELECT n.* FROM notice n
        WHERE (n.dossier_id, n.channel) IN (SELECT * FROM unnest($1::uuid[], $2::varchar[]))
        ORDER BY n.id${lock ? ' FOR UPDATE' : ''}`,
      [keys.map((k) => k.dossierId), keys.map((k) => k.channel)],
    );
    return rows.map(map);
  }

  /**
   * Marks notices `sending` before their provider is called, in one statement: the start of the
   * first attempt is kept (a resumed notice keeps its `send_started_at`). Only notices still
   * `pending` or `sending` move.
   */
  async markSending(ids: string[], at: Date): Promise<void> {
    if (ids.length === 0) return;
    await this.tx.manager.query(
      `UPDATE notice SET status = 'sending', send_started_at = COALESCE(send_started_at, $2)
        WHERE id = ANY($1::uuid[]) AND status IN ('pending', 'sending')`,
      [ids, at],
    );
  }

  async findByChannel(dossierId: string, channel: NoticeChannel, lock = false): Promise<NoticeRow | null> {
    const rows: Record<string, unknown>[] = await this.tx.manager.query(
      `SELECT * FROM notice WHERE dossier_id = $1 AND channel = $2${lock ? ' FOR UPDATE' : ''}`,
      [dossierId, channel],
    );
    return rows[0] ? map(rows[0]) : null;
  }

  async findById(id: string, lock = false): Promise<NoticeRow | null> {
    const rows: Record<string, unknown>[] = await this.tx.manager.query(`SELECT * FROM notice WHERE id = $1${lock ? ' FOR UPDATE' : ''}`, [id]);
    return rows[0] ? map(rows[0]) : null;
  }

  async ofDossiers(dossierIds: string[]): Promise<NoticeRow[]> {
    if (dossierIds.length === 0) return [];
    const rows: Record<string, unknown>[] = await this.tx.manager.query(`SELECT * FROM notice WHERE dossier_id = ANY($1) ORDER BY created_at, id`, [
      dossierIds,
    ]);
    return rows.map(map);
  }

  /**
   * Moves the provider's delivery status forward, and only forward: one conditional UPDATE on the
   * SQL rank (`notice_delivery_rank`), so a replayed, late or concurrent callback changes nothing.
   * True when this call moved it (the caller then acts on the new status), false otherwise.
   */
  async advanceDeliveryStatus(id: string, status: NoticeDeliveryStatus, at: Date): Promise<boolean> {
    const rows: unknown[] = await this.tx.manager.query(
      `WITH moved AS (
         UPDATE notice SET delivery_status = $2, delivery_status_at = $3
         WHERE id = $1 AND notice_delivery_rank(delivery_status) < notice_delivery_rank($2)
         RETURNING id)
       SELECT id FROM moved`,
      [id, status, at],
    );
    return rows.length === 1;
  }

  /**
   * Records a batch of notices as sent at `at`, each once: a notice already recorded (`sent_at`
   * set) is left alone, and one a receipt or an opening moved on keeps its status. Returns the
   * notices this call recorded.
   */
  async markSent(sent: { id: string; providerId: string; segments: number | null }[], at: Date): Promise<NoticeRow[]> {
    if (sent.length === 0) return [];
    const rows: Record<string, unknown>[] = await this.tx.manager.query(
      `WITH input AS (SELECT * FROM jsonb_to_recordset($1::jsonb) AS x(id uuid, provider varchar, segments integer)),
       locked AS (SELECT n.id FROM notice n JOIN input USING (id) WHERE n.sent_at IS NULL ORDER BY n.id FOR UPDATE OF n)
       UPDATE notice n SET status = CASE WHEN n.status IN ('pending', 'sending') THEN 'sent' ELSE n.status END,
              provider_id = input.provider, segments = input.segments, sent_at = $2
         FROM input, locked WHERE n.id = input.id AND n.id = locked.id AND n.sent_at IS NULL
       RETURNING n.*`,
      [JSON.stringify(sent.map((s) => ({ id: s.id, provider: s.providerId, segments: s.segments }))), at],
    );
    return returnedRows<Record<string, unknown>>(rows).map(map);
  }

  async update(
    id: string,
    patch: Partial<Pick<NoticeRow, 'status' | 'providerId' | 'segments' | 'sendStartedAt' | 'sentAt' | 'deliveredAt' | 'failedAt' | 'failureReason'>>,
  ): Promise<void> {
    const columns: Record<string, string> = {
      status: 'status',
      providerId: 'provider_id',
      segments: 'segments',
      sendStartedAt: 'send_started_at',
      sentAt: 'sent_at',
      deliveredAt: 'delivered_at',
      failedAt: 'failed_at',
      failureReason: 'failure_reason',
    };
    const entries = Object.entries(patch).filter(([k]) => k in columns);
    if (entries.length === 0) return;
    await this.tx.manager.query(`UPDATE notice SET ${entries.map(([k], i) => `${columns[k]} = $${i + 2}`).join(', ')} WHERE id = $1`, [
      id,
      ...entries.map(([, v]) => v),
    ]);
  }
}
