import { MigrationInterface, QueryRunner } from 'typeorm';

/** Debits (completions), abandons, deadlines and alerts: the due-time indexes the scheduler claims with. */
export class Completions1763900200000 implements MigrationInterface {
  name = 'Completions1763900200000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE dossier
        ADD COLUMN completion_key varchar(80),
        ADD COLUMN completion_lease_until timestamptz,
        ADD COLUMN completion_attempts integer NOT NULL DEFAULT 0,
        ADD COLUMN acquirer_transaction_reference varchar(64),
        ADD COLUMN settlement_date date,
        ADD COLUMN bank_reason_code varchar(8),
        ADD COLUMN bank_reason_message varchar(300),
        ADD COLUMN deadline_alerted_at timestamptz,
        ADD CONSTRAINT dossier_completion_key_key UNIQUE (completion_key)`);
    // Each sweep finds its work through a partial index on the due time of its status only.
    await q.query(`CREATE INDEX dossier_completion_due_idx ON dossier (completion_due_at) WHERE status = 'acknowledged'`);
    await q.query(`CREATE INDEX dossier_completing_lease_idx ON dossier (completion_lease_until) WHERE status = 'completing'`);
    await q.query(`CREATE INDEX dossier_ack_due_idx ON dossier (ack_due_at) WHERE status = 'payment_requested'`);
    await q.query(`
      CREATE INDEX dossier_validity_idx ON dossier (imprint_valid_until)
      WHERE status IN ('imprinted', 'payment_requested', 'acknowledged')`);
    await q.query(`
      CREATE INDEX dossier_alert_due_idx ON dossier (imprint_valid_until)
      WHERE deadline_alerted_at IS NULL AND status IN ('imprinted', 'payment_requested')`);
    await q.query(`
      CREATE TABLE alert (
        id uuid PRIMARY KEY,
        establishment_id uuid NOT NULL REFERENCES establishment (id),
        dossier_id uuid NOT NULL REFERENCES dossier (id),
        type varchar(64) NOT NULL,
        message varchar(500) NOT NULL,
        deadline_at timestamptz,
        created_at timestamptz NOT NULL,
        CONSTRAINT alert_once_per_dossier UNIQUE (dossier_id, type)
      )`);
    await q.query(`CREATE INDEX alert_establishment_idx ON alert (establishment_id, id DESC)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE alert`);
    await q.query(
      `DROP INDEX dossier_alert_due_idx, dossier_validity_idx, dossier_ack_due_idx, dossier_completing_lease_idx, dossier_completion_due_idx`,
    );
    await q.query(`
      ALTER TABLE dossier DROP COLUMN completion_key, DROP COLUMN completion_lease_until, DROP COLUMN completion_attempts,
        DROP COLUMN acquirer_transaction_reference, DROP COLUMN settlement_date, DROP COLUMN bank_reason_code,
        DROP COLUMN bank_reason_message, DROP COLUMN deadline_alerted_at`);
  }
}
