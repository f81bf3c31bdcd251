import { Injectable } from '@nestjs/common';
import { returnedRows } from '../raw-result';
import { camelRow, camelRows } from '../rows';
import { TransactionContext } from '../transaction-context';

/** Payment modalities, each needing its own merchant contract (contrat commerçant). */
export const MERCHANT_CONTRACT_MODALITIES = ['proximite_contact', 'proximite_sans_contact', 'plbs_diapason', 'vads'] as const;
export type MerchantContractModality = (typeof MERCHANT_CONTRACT_MODALITIES)[number];

/** The modality of DIAPASON's own imprints and debits (pre-authorisation, then completion). */
export const PLBS_MODALITY: MerchantContractModality = 'plbs_diapason';

export interface BankAccountRow {
  id: string;
  establishmentId: string;
  iban: string;
  label: string;
  createdAt: Date;
  updatedAt: Date;
}

export interface MerchantContractRow {
  id: string;
  establishmentId: string;
  number: string;
  modality: MerchantContractModality;
  acquirer: string;
  settlementAccountId: string;
  settlementIban: string;
  createdAt: Date;
  updatedAt: Date;
}

export type JournalLineKind = 'plbs_completion' | 'desk_payment' | 'refund';

export interface JournalLineRow {
  id: string;
  kind: JournalLineKind;
  regieCode: string;
  contractNumber: string | null;
  modality: MerchantContractModality | null;
  accountIban: string | null;
  amountCents: number;
  dossierId: string | null;
  gapDossierNumber: string | null;
  invoiceReference: string | null;
  transactionReference: string | null;
  debitedAt: Date;
  /** The calendar day of the debit in Paris, `YYYY-MM-DD`. */
  debitDate: string;
  settlementDate: string | null;
  remittanceId: string | null;
  creditedOn: string | null;
}

export interface JournalFilter {
  regieId?: string;
  contractId?: string;
  /** Inclusive calendar days (Paris) of the debit. */
  from?: string;
  to?: string;
}

export interface NewStatementLine {
  id: string;
  bankAccountId: string;
  direction: 'credit' | 'debit';
  amountCents: number;
  bookingDate: string;
  valueDate: string | null;
  label: string;
  bankReference: string | null;
  endToEndId: string | null;
  additionalText: readonly string[];
  fingerprint: string;
}

export interface StoredStatement {
  id: string;
  format: string;
  summary: Record<string, unknown>;
  importedAt: Date;
}

const CONTRACT_SELECT = `
  SELECT c.id, c.establishment_id, c.number, c.modality, c.acquirer, c.settlement_account_id, b.iban AS settlement_iban,
         c.created_at, c.updated_at
    FROM merchant_contract c JOIN bank_account b ON b.id = c.settlement_account_id`;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** A malformed id names nothing: looked up, it is simply not found. */
const isUuid = (id: string): boolean => UUID.test(id);

/**
 * The accounting records of an establishment: bank accounts, merchant contracts, the encashment
 * journal and imported bank statements. Every read and write is scoped to the establishment.
 */
@Injectable()
export class AccountingRepository {
  constructor(private readonly tx: TransactionContext) {}

  async listBankAccounts(establishmentId: string): Promise<BankAccountRow[]> {
    return camelRows<BankAccountRow>(
      await this.tx.manager.query(`SELECT * FROM bank_account WHERE establishment_id = $1 ORDER BY label, iban`, [establishmentId]),
    );
  }

  async findBankAccount(establishmentId: string, id: string): Promise<BankAccountRow | null> {
    if (!isUuid(id)) return null;
    const rows: Record<string, unknown>[] = await this.tx.manager.query(`SELECT * FROM bank_account WHERE establishment_id = $1 AND id = $2`, [
      establishmentId,
      id,
    ]);
    return rows[0] ? camelRow<BankAccountRow>(rows[0]) : null;
  }

  async findBankAccountsByIban(establishmentId: string, ibans: readonly string[]): Promise<BankAccountRow[]> {
    return camelRows<BankAccountRow>(
      await this.tx.manager.query(`SELECT * FROM bank_account WHERE establishment_id = $1 AND iban = ANY($2::varchar[])`, [establishmentId, ibans]),
    );
  }

  /** Null when the establishment already has an account of that IBAN. */
  async insertBankAccount(row: BankAccountRow): Promise<BankAccountRow | null> {
    const rows: Record<string, unknown>[] = await this.tx.manager.query(
      `INSERT INTO bank_account (id, establishment_id, iban, label, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $5)
       ON CONFLICT (establishment_id, iban) DO NOTHING RETURNING *`,
      [row.id, row.establishmentId, row.iban, row.label, row.createdAt],
    );
    return rows[0] ? camelRow<BankAccountRow>(rows[0]) : null;
  }

  async updateBankAccount(establishmentId: string, id: string, change: { iban: string; label: string; at: Date }): Promise<BankAccountRow | null> {
    const rows = returnedRows<Record<string, unknown>>(
      await this.tx.manager.query(
        `UPDATE bank_account SET iban = $3, label = $4, updated_at = $5 WHERE establishment_id = $1 AND id = $2 RETURNING *`,
        [establishmentId, id, change.iban, change.label, change.at],
      ),
    );
    return rows[0] ? camelRow<BankAccountRow>(rows[0]) : null;
  }

  async listContracts(establishmentId: string): Promise<MerchantContractRow[]> {
    return camelRows<MerchantContractRow>(
      await this.tx.manager.query(`${CONTRACT_SELECT} WHERE c.establishment_id = $1 ORDER BY c.modality, c.number`, [establishmentId]),
    );
  }

  async findContract(establishmentId: string, id: string): Promise<MerchantContractRow | null> {
    if (!isUuid(id)) return null;
    const rows: Record<string, unknown>[] = await this.tx.manager.query(`${CONTRACT_SELECT} WHERE c.establishment_id = $1 AND c.id = $2`, [
      establishmentId,
      id,
    ]);
    return rows[0] ? camelRow<MerchantContractRow>(rows[0]) : null;
  }

  async findContractByNumber(establishmentId: string, number: string): Promise<MerchantContractRow | null> {
    const rows: Record<string, unknown>[] = await this.tx.manager.query(`${CONTRACT_SELECT} WHERE c.establishment_id = $1 AND c.number = $2`, [
      establishmentId,
      number,
    ]);
    return rows[0] ? camelRow<MerchantContractRow>(rows[0]) : null;
  }

  /** The contract an operation of this modality runs under, if the establishment has one. */
  async findContractByModality(establishmentId: string, modality: MerchantContractModality): Promise<MerchantContractRow | null> {
    const rows: Record<string, unknown>[] = await this.tx.manager.query(`${CONTRACT_SELECT} WHERE c.establishment_id = $1 AND c.modality = $2`, [
      establishmentId,
      modality,
    ]);
    return rows[0] ? camelRow<MerchantContractRow>(rows[0]) : null;
  }

  /** False when the number or the modality was taken meanwhile (the caller checked both before). */
  async insertContract(row: Omit<MerchantContractRow, 'settlementIban' | 'updatedAt'>): Promise<boolean> {
    const rows: unknown[] = await this.tx.manager.query(
      `INSERT INTO merchant_contract (id, establishment_id, number, modality, acquirer, settlement_account_id, created_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $7) ON CONFLICT DO NOTHING RETURNING id`,
      [row.id, row.establishmentId, row.number, row.modality, row.acquirer, row.settlementAccountId, row.createdAt],
    );
    return rows.length === 1;
  }

  async updateContract(
    establishmentId: string,
    id: string,
    change: { number: string; modality: MerchantContractModality; acquirer: string; settlementAccountId: string; at: Date },
  ): Promise<void> {
    await this.tx.manager.query(
      `UPDATE merchant_contract SET number = $3, modality = $4, acquirer = $5, settlement_account_id = $6, updated_at = $7
        WHERE establishment_id = $1 AND id = $2`,
      [establishmentId, id, change.number, change.modality, change.acquirer, change.settlementAccountId, change.at],
    );
  }

  async setRegieDftAccount(regieId: string, accountId: string): Promise<void> {
    await this.tx.manager.query(`UPDATE regie SET dft_account_id = $2 WHERE id = $1`, [regieId, accountId]);
  }

  /** The DFT accounts named by the establishment's régies, once each. */
  async dftAccountIds(establishmentId: string): Promise<string[]> {
    const rows: { id: string }[] = await this.tx.manager.query(
      `SELECT DISTINCT dft_account_id AS id FROM regie WHERE establishment_id = $1 AND dft_account_id IS NOT NULL`,
      [establishmentId],
    );
    return rows.map((r) => r.id);
  }

  /** The journal, oldest debit first. */
  async journal(establishmentId: string, filter: JournalFilter): Promise<JournalLineRow[]> {
    const rows: Record<string, unknown>[] = await this.tx.manager.query(
      `SELECT j.id, j.kind, j.regie_code, c.number AS contract_number, c.modality, b.iban AS account_iban, j.amount_cents,
              j.dossier_id, j.gap_dossier_number, j.invoice_reference, j.transaction_reference, j.debited_at,
              to_char(j.debited_at AT TIME ZONE 'Europe/Paris', 'YYYY-MM-DD') AS debit_date,
              to_char(j.settlement_date, 'YYYY-MM-DD') AS settlement_date, j.remittance_id,
              to_char(j.credited_on, 'YYYY-MM-DD') AS credited_on
         FROM journal_line j
         LEFT JOIN merchant_contract c ON c.id = j.merchant_contract_id
         LEFT JOIN bank_account b ON b.id = j.bank_account_id
        WHERE j.establishment_id = $1
          AND ($2::uuid IS NULL OR j.regie_id = $2)
          AND ($3::uuid IS NULL OR j.merchant_contract_id = $3)
          AND ($4::date IS NULL OR j.debited_at >= ($4::date)::timestamp AT TIME ZONE 'Europe/Paris')
          AND ($5::date IS NULL OR j.debited_at < ($5::date + 1)::timestamp AT TIME ZONE 'Europe/Paris')
        ORDER BY j.debited_at, j.id`,
      [establishmentId, filter.regieId ?? null, filter.contractId ?? null, filter.from ?? null, filter.to ?? null],
    );
    return camelRows<JournalLineRow>(rows);
  }

  async findStatementBySha(establishmentId: string, sha256: string): Promise<StoredStatement | null> {
    const rows: Record<string, unknown>[] = await this.tx.manager.query(
      `SELECT id, format, summary, imported_at FROM bank_statement WHERE establishment_id = $1 AND sha256 = $2`,
      [establishmentId, sha256],
    );
    return rows[0] ? camelRow<StoredStatement>(rows[0]) : null;
  }

  /** False when the same file was imported meanwhile (the caller answers with the stored one). */
  async insertStatement(row: {
    id: string;
    establishmentId: string;
    format: string;
    sha256: string;
    sizeBytes: number;
    summary: Record<string, unknown>;
    importedAt: Date;
    importedBy: string | null;
  }): Promise<boolean> {
    const rows: unknown[] = await this.tx.manager.query(
      `INSERT INTO bank_statement (id, establishment_id, format, sha256, size_bytes, summary, imported_at, imported_by)
       VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7, $8) ON CONFLICT (establishment_id, sha256) DO NOTHING RETURNING id`,
      [row.id, row.establishmentId, row.format, row.sha256, row.sizeBytes, JSON.stringify(row.summary), row.importedAt, row.importedBy],
    );
    return rows.length === 1;
  }

  async updateStatementSummary(id: string, summary: Record<string, unknown>): Promise<void> {
    await this.tx.manager.query(`UPDATE bank_statement SET summary = $2::jsonb WHERE id = $1`, [id, JSON.stringify(summary)]);
  }

  /**
   * Inserts the lines not already known (same account and fingerprint, e.g. from an overlapping
   * statement); returns the fingerprints inserted.
   */
  async insertStatementLines(establishmentId: string, statementId: string, lines: readonly NewStatementLine[]): Promise<Set<string>> {
    const inserted = new Set<string>();
    const batch = 1000;
    for (let start = 0; start < lines.length; start += batch) {
      const rows: { fingerprint: string }[] = await this.tx.manager.query(
        `INSERT INTO statement_line (id, establishment_id, statement_id, bank_account_id, direction, amount_cents, booking_date, value_date,
                                     label, bank_reference, end_to_end_id, additional_text, fingerprint)
         SELECT x.id, $1, $2, x."bankAccountId", x.direction, x."amountCents", x."bookingDate", x."valueDate", x.label, x."bankReference",
                x."endToEndId", ARRAY(SELECT jsonb_array_elements_text(x."additionalText")), x.fingerprint
           FROM jsonb_to_recordset($3::jsonb) AS x(id uuid, "bankAccountId" uuid, direction varchar, "amountCents" bigint, "bookingDate" date,
                "valueDate" date, label varchar, "bankReference" varchar, "endToEndId" varchar, "additionalText" jsonb, fingerprint char(64))
         ON CONFLICT (bank_account_id, fingerprint) DO NOTHING
         RETURNING fingerprint`,
        [establishmentId, statementId, JSON.stringify(lines.slice(start, start + batch))],
      );
      for (const row of rows) inserted.add(row.fingerprint);
    }
    return inserted;
  }
}
