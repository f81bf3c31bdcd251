import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * RGPD retention: a final dossier's personal data is erased some time after it closed
 * (DIAPASON_RETENTION_PATIENT_DATA). The dossier keeps its amounts, references and statuses; its
 * journal stays append-only, with one exception the database itself checks: an update whose only
 * change is `dossier_event_redacted` (personal values taken out of `details`).
 */
export class PersonalDataRetention1795565037562 implements MigrationInterface {
  name = 'PersonalDataRetention1795565037562';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE dossier ADD COLUMN personal_data_erased_at timestamptz`);
    // An erased dossier has no contact left.
    await q.query(`ALTER TABLE dossier DROP CONSTRAINT dossier_contact_check`);
    await q.query(`
      ALTER TABLE dossier ADD CONSTRAINT dossier_contact_check
        CHECK (patient_phone IS NOT NULL OR patient_email IS NOT NULL OR personal_data_erased_at IS NOT NULL)`);
    // The retention sweep and its gauge: closed dossiers not erased yet, oldest first.
    await q.query(`
      CREATE INDEX dossier_retention_due_idx ON dossier (closed_at)
      WHERE personal_data_erased_at IS NULL AND closed_at IS NOT NULL`);
    // What of a journal event is personal: the patient's browser (evidence), the masked recipient
    // of a notice, the provider's words on a failed notice (they quote the number or the address).
    await q.query(`
      CREATE FUNCTION dossier_event_redacted(event_type varchar, details jsonb) RETURNS jsonb
      LANGUAGE sql IMMUTABLE AS $$
        SELECT CASE WHEN jsonb_typeof(details) IS DISTINCT FROM 'object' THEN details ELSE
          (details - 'userAgent' - 'recipient' - CASE WHEN event_type = 'notice.failed' THEN 'reason' ELSE '' END)
          || CASE WHEN jsonb_typeof(details -> 'evidence') = 'object'
                  THEN jsonb_build_object('evidence', (details -> 'evidence') - 'userAgent') ELSE '{}'::jsonb END
          || CASE WHEN jsonb_typeof(details -> 'reasons') = 'array'
                  THEN jsonb_build_object('reasons', (
                         SELECT coalesce(jsonb_agg(CASE WHEN jsonb_typeof(r) = 'object' THEN r - 'reason' ELSE r END ORDER BY i), '[]'::jsonb)
                           FROM jsonb_array_elements(details -> 'reasons') WITH ORDINALITY AS x(r, i)))
                  ELSE '{}'::jsonb END
        END
      $$`);
    await q.query(`
      CREATE OR REPLACE FUNCTION dossier_event_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        -- The one rewrite allowed: taking personal data out of details (RGPD), and nothing else.
        IF TG_OP = 'UPDATE'
           AND (NEW.id, NEW.dossier_id, NEW.establishment_id, NEW.type, NEW.from_status, NEW.to_status, NEW.actor_type, NEW.actor_id, NEW.at)
               IS NOT DISTINCT FROM
               (OLD.id, OLD.dossier_id, OLD.establishment_id, OLD.type, OLD.from_status, OLD.to_status, OLD.actor_type, OLD.actor_id, OLD.at)
           AND NEW.details = dossier_event_redacted(OLD.type, OLD.details) THEN
          RETURN NEW;
        END IF;
        RAISE EXCEPTION 'dossier_event is append-only (% refused)', TG_OP;
      END $$`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE OR REPLACE FUNCTION dossier_event_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'dossier_event is append-only (% refused)', TG_OP;
      END $$`);
    await q.query(`DROP FUNCTION dossier_event_redacted(varchar, jsonb)`);
    await q.query(`DROP INDEX dossier_retention_due_idx`);
    await q.query(`ALTER TABLE dossier DROP CONSTRAINT dossier_contact_check`);
    await q.query(`ALTER TABLE dossier ADD CONSTRAINT dossier_contact_check CHECK (patient_phone IS NOT NULL OR patient_email IS NOT NULL)`);
    await q.query(`ALTER TABLE dossier DROP COLUMN personal_data_erased_at`);
  }
}
