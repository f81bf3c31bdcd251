import { MigrationInterface, QueryRunner } from 'typeorm';

/** Terminal registry, imprint attempts, and the approved imprint of a dossier. */
export class Terminals1763900100000 implements MigrationInterface {
  name = 'Terminals1763900100000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE terminal (
        id uuid PRIMARY KEY,
        establishment_id uuid NOT NULL REFERENCES establishment (id),
        code varchar(64) NOT NULL,
        label varchar(200) NOT NULL,
        model varchar(16) NOT NULL CHECK (model IN ('ICT250', 'iWL280')),
        regie_id uuid NOT NULL REFERENCES regie (id),
        regie_code varchar(32) NOT NULL,
        transport_url varchar(500) NOT NULL,
        bridge_host varchar(100),
        busy_until timestamptz,
        busy_with varchar(64),
        last_seen_at timestamptz,
        last_latency_ms integer,
        last_error varchar(500),
        last_error_at timestamptz,
        created_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL,
        CONSTRAINT terminal_establishment_code_key UNIQUE (establishment_id, code)
      )`);
    await q.query(`
      CREATE TABLE imprint_attempt (
        id uuid PRIMARY KEY,
        dossier_id uuid NOT NULL REFERENCES dossier (id),
        establishment_id uuid NOT NULL,
        terminal_id uuid NOT NULL REFERENCES terminal (id),
        ceiling_cents integer NOT NULL CHECK (ceiling_cents > 0),
        status varchar(16) NOT NULL CHECK (status IN ('pending', 'running', 'approved', 'refused', 'failed')),
        reference varchar(10) NOT NULL,
        failure_code varchar(64),
        failure_message varchar(500),
        recovered boolean NOT NULL DEFAULT false,
        masked_pan varchar(19),
        card_expiry varchar(4),
        authorisation_number varchar(12),
        acquirer_reference varchar(32),
        terminal_model varchar(16),
        itp_acceptance_server varchar(15),
        itp_acceptance_point varchar(15),
        requested_at timestamptz NOT NULL,
        started_at timestamptz,
        ended_at timestamptz,
        lease_until timestamptz,
        runner varchar(100),
        CONSTRAINT imprint_attempt_reference_key UNIQUE (reference)
      )`);
    await q.query(`CREATE INDEX imprint_attempt_dossier_idx ON imprint_attempt (dossier_id, requested_at)`);
    await q.query(`CREATE INDEX imprint_attempt_pending_idx ON imprint_attempt (terminal_id, requested_at) WHERE status = 'pending'`);
    await q.query(`CREATE INDEX imprint_attempt_running_idx ON imprint_attempt (lease_until) WHERE status = 'running'`);
    // At most one attempt in flight per dossier: a second imprint while one runs could double it.
    await q.query(`CREATE UNIQUE INDEX imprint_attempt_one_live_per_dossier ON imprint_attempt (dossier_id) WHERE status IN ('pending', 'running')`);
    await q.query(`ALTER TABLE dossier ADD COLUMN imprint_attempt_id uuid REFERENCES imprint_attempt (id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE dossier DROP COLUMN imprint_attempt_id`);
    await q.query(`DROP TABLE imprint_attempt`);
    await q.query(`DROP TABLE terminal`);
  }
}
