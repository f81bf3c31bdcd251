import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Accounting model (issue 11, points 1, 2 and 4): bank accounts (a régie's DFT account and, under
 * multi-domiciliation, other accounts), merchant contracts (one per payment modality, each settled
 * on one account), the contract each imprint and debit ran under (NULL for those made before
 * contracts existed), the encashment journal (one line per money movement, completed debits
 * backfilled), imported bank statements and their lines, and the `accounting` key scope.
 */
export class AccountingModel1795567136553 implements MigrationInterface {
  name = 'AccountingModel1795567136553';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE api_key DROP CONSTRAINT api_key_scopes_known`);
    await q.query(`
      ALTER TABLE api_key ADD CONSTRAINT api_key_scopes_known
        CHECK (cardinality(scopes) > 0 AND scopes <@ ARRAY['dossiers', 'terminals', 'webhooks', 'accounting', 'read_only']::text[])`);

    await q.query(`
      CREATE TABLE bank_account (
        id uuid PRIMARY KEY,
        establishment_id uuid NOT NULL REFERENCES establishment (id),
        iban varchar(34) NOT NULL,
        label varchar(200) NOT NULL,
        created_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL,
        CONSTRAINT bank_account_establishment_iban_key UNIQUE (establishment_id, iban)
      )`);
    await q.query(`ALTER TABLE regie ADD COLUMN dft_account_id uuid REFERENCES bank_account (id)`);
    await q.query(`
      CREATE TABLE merchant_contract (
        id uuid PRIMARY KEY,
        establishment_id uuid NOT NULL REFERENCES establishment (id),
        number varchar(32) NOT NULL,
        modality varchar(32) NOT NULL
          CHECK (modality IN ('proximite_contact', 'proximite_sans_contact', 'plbs_diapason', 'vads')),
        acquirer varchar(100) NOT NULL,
        settlement_account_id uuid NOT NULL REFERENCES bank_account (id),
        created_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL,
        CONSTRAINT merchant_contract_establishment_number_key UNIQUE (establishment_id, number),
        -- One contract per modality: the one an imprint or a debit of that modality runs under.
        CONSTRAINT merchant_contract_establishment_modality_key UNIQUE (establishment_id, modality)
      )`);
    await q.query(`CREATE INDEX merchant_contract_settlement_idx ON merchant_contract (settlement_account_id)`);
    await q.query(`ALTER TABLE imprint_attempt ADD COLUMN merchant_contract_id uuid REFERENCES merchant_contract (id)`);
    await q.query(`ALTER TABLE dossier ADD COLUMN merchant_contract_id uuid REFERENCES merchant_contract (id)`);

    await q.query(`
      CREATE TABLE journal_line (
        id uuid PRIMARY KEY,
        establishment_id uuid NOT NULL REFERENCES establishment (id),
        kind varchar(32) NOT NULL CHECK (kind IN ('plbs_completion', 'desk_payment', 'refund')),
        regie_id uuid NOT NULL REFERENCES regie (id),
        regie_code varchar(32) NOT NULL,
        merchant_contract_id uuid REFERENCES merchant_contract (id),
        bank_account_id uuid REFERENCES bank_account (id),
        amount_cents integer NOT NULL,
        dossier_id uuid REFERENCES dossier (id),
        gap_dossier_number varchar(64),
        invoice_reference varchar(64),
        transaction_reference varchar(64),
        debited_at timestamptz NOT NULL,
        settlement_date date,
        remittance_id uuid,
        credited_on date,
        created_at timestamptz NOT NULL,
        CONSTRAINT journal_line_dossier_kind_key UNIQUE (dossier_id, kind)
      )`);
    await q.query(`CREATE INDEX journal_line_establishment_debited_idx ON journal_line (establishment_id, debited_at, id)`);
    await q.query(`CREATE INDEX journal_line_contract_debited_idx ON journal_line (merchant_contract_id, debited_at)`);
    // Debits completed before the journal existed: their lines, without contract or account.
    await q.query(`
      INSERT INTO journal_line (id, establishment_id, kind, regie_id, regie_code, amount_cents, dossier_id, gap_dossier_number,
                                invoice_reference, transaction_reference, debited_at, settlement_date, created_at)
      SELECT gen_random_uuid(), establishment_id, 'plbs_completion', regie_id, regie_code, amount_cents, id, gap_dossier_number,
             invoice_reference, acquirer_transaction_reference, completed_at, settlement_date, now()
        FROM dossier WHERE status = 'completed' AND completed_at IS NOT NULL AND amount_cents IS NOT NULL`);

    await q.query(`
      CREATE TABLE bank_statement (
        id uuid PRIMARY KEY,
        establishment_id uuid NOT NULL REFERENCES establishment (id),
        format varchar(16) NOT NULL CHECK (format IN ('cfonb120', 'camt053')),
        sha256 char(64) NOT NULL,
        size_bytes integer NOT NULL,
        summary jsonb NOT NULL,
        imported_at timestamptz NOT NULL,
        imported_by varchar(100),
        CONSTRAINT bank_statement_establishment_sha256_key UNIQUE (establishment_id, sha256)
      )`);
    await q.query(`
      CREATE TABLE statement_line (
        id uuid PRIMARY KEY,
        establishment_id uuid NOT NULL REFERENCES establishment (id),
        statement_id uuid NOT NULL REFERENCES bank_statement (id),
        bank_account_id uuid NOT NULL REFERENCES bank_account (id),
        direction varchar(6) NOT NULL CHECK (direction IN ('credit', 'debit')),
        amount_cents bigint NOT NULL CHECK (amount_cents >= 0),
        booking_date date NOT NULL,
        value_date date,
        label varchar(200) NOT NULL,
        bank_reference varchar(64),
        end_to_end_id varchar(64),
        additional_text text[] NOT NULL DEFAULT '{}',
        fingerprint char(64) NOT NULL,
        CONSTRAINT statement_line_account_fingerprint_key UNIQUE (bank_account_id, fingerprint)
      )`);
    await q.query(`CREATE INDEX statement_line_account_date_idx ON statement_line (bank_account_id, booking_date)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE statement_line`);
    await q.query(`DROP TABLE bank_statement`);
    await q.query(`DROP TABLE journal_line`);
    await q.query(`ALTER TABLE dossier DROP COLUMN merchant_contract_id`);
    await q.query(`ALTER TABLE imprint_attempt DROP COLUMN merchant_contract_id`);
    await q.query(`DROP TABLE merchant_contract`);
    await q.query(`ALTER TABLE regie DROP COLUMN dft_account_id`);
    await q.query(`DROP TABLE bank_account`);
    await q.query(`DELETE FROM api_key WHERE scopes = '{accounting}'`);
    await q.query(`UPDATE api_key SET scopes = array_remove(scopes, 'accounting')`);
    await q.query(`ALTER TABLE api_key DROP CONSTRAINT api_key_scopes_known`);
    await q.query(`
      ALTER TABLE api_key ADD CONSTRAINT api_key_scopes_known
        CHECK (cardinality(scopes) > 0 AND scopes <@ ARRAY['dossiers', 'terminals', 'webhooks', 'read_only']::text[])`);
  }
}
