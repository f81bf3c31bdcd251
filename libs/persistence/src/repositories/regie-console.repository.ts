import { Injectable } from '@nestjs/common';
import type { DossierStatus } from '@diapason/domain';
import { DEADLINE_ALERT_STATUSES } from '@diapason/domain';
import { DossierEntity, DossierEventEntity, ImprintAttemptEntity } from '../entities';
import { camelRow, statusIn } from '../rows';
import { TransactionContext } from '../transaction-context';
import { AlertRow } from './alert.repository';
import { NoticeRow } from './notice.repository';

/** The exceptions the régie handles (issue 10, point 3), in the order of the « À traiter » screen. */
export const EXCEPTION_KINDS = [
  'imprint_failed',
  'notification_failed',
  'not_acknowledged',
  'bank_rejected',
  'deadline_alert',
  'debit_stalled',
] as const;
export type ExceptionKind = (typeof EXCEPTION_KINDS)[number];

/** One dossier of an exception list. */
export interface ExceptionItem {
  dossierId: string;
  gapDossierNumber: string;
  regieCode: string;
  status: DossierStatus;
  patientLastName: string;
  patientFirstName: string;
  /** When it went wrong (failure, closing, alert deadline, debit start or due time). */
  at: Date | null;
  /** What went wrong, already French when it comes from a terminal, the bank or an alert; else a code. */
  detail: string | null;
}

export interface ExceptionList {
  total: number;
  items: ExceptionItem[];
}

export interface ExceptionQuery {
  now: Date;
  /** Start of the régie's day (midnight, Paris time): failed imprints since then. */
  dayStart: Date;
  /** Final exceptions (failed notices, abandons, bank rejections) closed since then. */
  closedSince: Date;
  /** A debit started (or due) before this is stalled. */
  stalledBefore: Date;
  /** Items per list. */
  limit: number;
}

/** A dossier and everything the dossier page shows, read on one snapshot. */
export interface DossierFile {
  dossier: DossierEntity;
  regieName: string | null;
  attempts: (ImprintAttemptEntity & { terminalCode: string | null })[];
  notices: NoticeRow[];
  alerts: AlertRow[];
  events: DossierEventEntity[];
}

export type DossierSearchItem = Pick<
  DossierEntity,
  'id' | 'gapDossierNumber' | 'regieCode' | 'status' | 'patientLastName' | 'patientFirstName' | 'createdAt' | 'amountCents'
>;

const ITEM_COLUMNS = `d.id AS dossier_id, d.gap_dossier_number, d.regie_code, d.status, d.patient_last_name, d.patient_first_name`;

/** LIKE pattern matching `text` literally. */
const literal = (text: string) => text.replace(/[\\%_]/g, (c) => `\\${c}`);

/**
 * Read-only queries of the régie console, always scoped to one establishment. Every list is
 * bounded (`limit`) and comes with its total, each found through an index: the dossier's
 * (establishment, status, id), the failed attempts' (establishment, requested_at), the alerts'
 * (establishment, id).
 */
@Injectable()
export class RegieConsoleRepository {
  constructor(private readonly tx: TransactionContext) {}

  /** Every exception list with its count, in one round trip. */
  async exceptions(establishmentId: string, q: ExceptionQuery): Promise<Record<ExceptionKind, ExceptionList>> {
    const finalList = (kind: ExceptionKind, status: DossierStatus, detail: string) => `
      (SELECT '${kind}' AS kind, ${ITEM_COLUMNS}, d.closed_at AS at, ${detail} AS detail, count(*) OVER () AS total
         FROM dossier d
        WHERE d.establishment_id = $1 AND d.status = '${status}' AND d.closed_at >= $3
        ORDER BY d.closed_at DESC, d.id DESC LIMIT $5)`;
    const rows: Record<string, unknown>[] = await this.tx.manager.query(
      `(SELECT 'imprint_failed' AS kind, ${ITEM_COLUMNS}, f.requested_at AS at, f.failure_message AS detail, count(*) OVER () AS total
          FROM (SELECT DISTINCT ON (a.dossier_id) a.dossier_id, a.requested_at, a.failure_message
                  FROM imprint_attempt a
                 WHERE a.establishment_id = $1 AND a.status IN ('refused', 'failed') AND a.requested_at >= $2
                 ORDER BY a.dossier_id, a.requested_at DESC) f
          JOIN dossier d ON d.id = f.dossier_id AND d.establishment_id = $1
         WHERE d.status = 'awaiting_imprint'
         ORDER BY f.requested_at DESC LIMIT $5)
       UNION ALL ${finalList('notification_failed', 'notification_failed', 'NULL')}
       UNION ALL ${finalList('not_acknowledged', 'not_acknowledged', 'NULL')}
       UNION ALL ${finalList('bank_rejected', 'bank_rejected', "concat_ws(' — ', d.bank_reason_code, d.bank_reason_message)")}
       UNION ALL
       (SELECT 'deadline_alert' AS kind, ${ITEM_COLUMNS}, d.imprint_valid_until AS at, al.message AS detail, count(*) OVER () AS total
          FROM alert al JOIN dossier d ON d.id = al.dossier_id AND d.establishment_id = $1
         WHERE al.establishment_id = $1 AND ${statusIn(DEADLINE_ALERT_STATUSES, 'd.status')}
         ORDER BY d.imprint_valid_until, d.id LIMIT $5)
       UNION ALL
       (SELECT 'debit_stalled' AS kind, ${ITEM_COLUMNS},
               CASE WHEN d.status = 'completing' THEN d.completion_started_at ELSE d.completion_due_at END AS at,
               CASE WHEN d.status = 'completing' THEN 'completing' ELSE 'overdue' END AS detail, count(*) OVER () AS total
          FROM dossier d
         WHERE d.establishment_id = $1 AND d.status IN ('completing', 'acknowledged')
           AND ((d.status = 'completing' AND (d.completion_lease_until < $4 OR d.completion_started_at < $6))
             OR (d.status = 'acknowledged' AND d.completion_due_at < $6))
         ORDER BY at, d.id LIMIT $5)`,
      [establishmentId, q.dayStart, q.closedSince, q.now, q.limit, q.stalledBefore],
    );
    const lists = Object.fromEntries(EXCEPTION_KINDS.map((k) => [k, { total: 0, items: [] as ExceptionItem[] }])) as Record<
      ExceptionKind,
      ExceptionList
    >;
    for (const row of rows) {
      const { kind, total, ...item } = camelRow<ExceptionItem & { kind: ExceptionKind; total: string }>(row);
      lists[kind].total = Number(total);
      lists[kind].items.push(item);
    }
    return lists;
  }

  /**
   * A dossier of the establishment with its attempts, notices, alerts and journal, all as of one
   * instant (REPEATABLE READ); null when the establishment has no such dossier.
   */
  dossierFile(establishmentId: string, id: string): Promise<DossierFile | null> {
    return this.tx.snapshot(async (manager) => {
      const dossier = await manager.findOneBy(DossierEntity, { establishmentId, id });
      if (!dossier) return null;
      const [regie, attempts, notices, alerts, events] = await Promise.all([
        manager.query<{ name: string }[]>(`SELECT name FROM regie WHERE id = $1`, [dossier.regieId]),
        manager.query<Record<string, unknown>[]>(
          `SELECT a.*, t.code AS terminal_code FROM imprint_attempt a LEFT JOIN terminal t ON t.id = a.terminal_id
            WHERE a.dossier_id = $1 ORDER BY a.requested_at, a.id`,
          [id],
        ),
        manager.query<Record<string, unknown>[]>(`SELECT * FROM notice WHERE dossier_id = $1 ORDER BY created_at, id`, [id]),
        manager.query<Record<string, unknown>[]>(
          `SELECT id, dossier_id, type, message, deadline_at, created_at FROM alert WHERE dossier_id = $1 ORDER BY created_at`,
          [id],
        ),
        manager.find(DossierEventEntity, { where: { dossierId: id }, order: { id: 'ASC' } }),
      ]);
      return {
        dossier,
        regieName: regie[0]?.name ?? null,
        attempts: attempts.map((r) => camelRow<ImprintAttemptEntity & { terminalCode: string | null }>(r)),
        notices: notices.map((r) => camelRow<NoticeRow>(r)),
        alerts: alerts.map((r) => camelRow<AlertRow>(r)),
        events,
      };
    });
  }

  /**
   * Dossiers whose GAP number is `text`, or whose patient's last name starts with it (or full name
   * contains it), newest first. The GAP number goes through its index; a name walks the
   * establishment's dossiers newest first and stops at `limit`.
   */
  async search(establishmentId: string, text: string, limit: number): Promise<DossierSearchItem[]> {
    const rows: Record<string, unknown>[] = await this.tx.manager.query(
      `(SELECT id, gap_dossier_number, regie_code, status, patient_last_name, patient_first_name, created_at, amount_cents
          FROM dossier WHERE establishment_id = $1 AND gap_dossier_number = $2)
       UNION
       (SELECT id, gap_dossier_number, regie_code, status, patient_last_name, patient_first_name, created_at, amount_cents
          FROM dossier
         WHERE establishment_id = $1
           AND (patient_last_name ILIKE $3 || '%' OR (patient_first_name || ' ' || patient_last_name) ILIKE '%' || $3 || '%'
                OR (patient_last_name || ' ' || patient_first_name) ILIKE $3 || '%')
         ORDER BY id DESC LIMIT $4)
       ORDER BY id DESC LIMIT $4`,
      [establishmentId, text, literal(text), limit],
    );
    return rows.map((r) => camelRow<DossierSearchItem>(r));
  }
}
