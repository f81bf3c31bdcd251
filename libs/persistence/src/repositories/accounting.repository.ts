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
  /** Inclusive days of the credit on the settlement account. */
  creditedFrom?: string;
  creditedTo?: string;
  /** Only lines no statement has shown credited yet. */
  uncredited?: boolean;
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

export interface NewRemittance {
  id: string;
  establishmentId: string;
  merchantContractId: string;
  settlementDate: string;
  totalCents: number;
  reference: string | null;
  source: 'upload' | 'acquirer';
  debits: readonly { transactionReference: string; amountCents: number }[];
  createdAt: Date;
}

export interface RemittanceRow {
  id: string;
  contractNumber: string;
  modality: MerchantContractModality;
  settlementAccountId: string;
  settlementIban: string;
  settlementDate: string;
  totalCents: number;
  reference: string | null;
  source: 'upload' | 'acquirer';
  debitCount: number;
  debitsTotalCents: number;
  /** Debits of the remittance found in the journal (debit ↔ dossier). */
  journalLines: number;
  creditDate: string | null;
  matchId: string | null;
}

export interface RemittanceFilter {
  contractId?: string;
  accountId?: string;
  from?: string;
  to?: string;
  /** Only those without a match. */
  unmatched?: boolean;
}

export interface CreditLineRow {
  id: string;
  bankAccountId: string;
  iban: string;
  bookingDate: string;
  amountCents: number;
  label: string;
  bankReference: string | null;
  endToEndId: string | null;
  additionalText: string[];
}

export interface MatchRow {
  id: string;
  remittanceId: string;
  statementLineId: string;
  kind: 'reference' | 'amount_and_date' | 'reference_amount_difference' | 'manual';
  differenceCents: number;
  creditDate: string;
  matchedBy: string | null;
  reason: string | null;
  matchedAt: Date;
  contractNumber: string;
  settlementDate: string;
  reference: string | null;
  expectedCents: number;
  creditedCents: number;
  label: string;
}

export interface NewMatch {
  id: string;
  establishmentId: string;
  remittanceId: string;
  statementLineId: string;
  kind: MatchRow['kind'];
  differenceCents: number;
  creditDate: string;
  matchedBy: string | null;
  reason: string | null;
  matchedAt: Date;
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
          AND ($6::date IS NULL OR j.credited_on >= $6) AND ($7::date IS NULL OR j.credited_on <= $7)
          AND (NOT $8::boolean OR j.credited_on IS NULL)
        ORDER BY j.debited_at, j.id`,
      [
        establishmentId,
        filter.regieId ?? null,
        filter.contractId ?? null,
        filter.from ?? null,
        filter.to ?? null,
        filter.creditedFrom ?? null,
        filter.creditedTo ?? null,
        filter.uncredited ?? false,
      ],
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

  /** Null when the contract already has its remittance of that day. Links the journal lines of its debits. */
  async insertRemittance(row: NewRemittance): Promise<boolean> {
    const debitsTotal = row.debits.reduce((sum, debit) => sum + debit.amountCents, 0);
    const inserted: unknown[] = await this.tx.manager.query(
      `INSERT INTO remittance (id, establishment_id, merchant_contract_id, settlement_date, total_cents, reference, source, debit_count,
                               debits_total_cents, created_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT (merchant_contract_id, settlement_date) DO NOTHING RETURNING id`,
      [
        row.id,
        row.establishmentId,
        row.merchantContractId,
        row.settlementDate,
        row.totalCents,
        row.reference,
        row.source,
        row.debits.length,
        debitsTotal,
        row.createdAt,
      ],
    );
    if (inserted.length === 0) return false;
    await this.tx.manager.query(
      `INSERT INTO remittance_debit (remittance_id, transaction_reference, amount_cents)
       SELECT $1, x."transactionReference", x."amountCents" FROM jsonb_to_recordset($2::jsonb) AS x("transactionReference" varchar, "amountCents" integer)
       ON CONFLICT DO NOTHING`,
      [row.id, JSON.stringify(row.debits)],
    );
    await this.tx.manager.query(
      `UPDATE journal_line SET remittance_id = $1
        WHERE establishment_id = $2 AND remittance_id IS NULL
          AND transaction_reference IN (SELECT transaction_reference FROM remittance_debit WHERE remittance_id = $1)`,
      [row.id, row.establishmentId],
    );
    return true;
  }

  async findRemittanceByContractDay(contractId: string, settlementDate: string): Promise<string | null> {
    const rows: { id: string }[] = await this.tx.manager.query(`SELECT id FROM remittance WHERE merchant_contract_id = $1 AND settlement_date = $2`, [
      contractId,
      settlementDate,
    ]);
    return rows[0]?.id ?? null;
  }

  async remittances(establishmentId: string, filter: RemittanceFilter & { ids?: readonly string[] }): Promise<RemittanceRow[]> {
    const rows: Record<string, unknown>[] = await this.tx.manager.query(
      `SELECT r.id, c.number AS contract_number, c.modality, c.settlement_account_id, b.iban AS settlement_iban,
              to_char(r.settlement_date, 'YYYY-MM-DD') AS settlement_date, r.total_cents::int AS total_cents, r.reference, r.source,
              r.debit_count, r.debits_total_cents::int AS debits_total_cents,
              (SELECT count(*)::int FROM journal_line j WHERE j.remittance_id = r.id) AS journal_lines,
              to_char(m.credit_date, 'YYYY-MM-DD') AS credit_date, m.id AS match_id
         FROM remittance r
         JOIN merchant_contract c ON c.id = r.merchant_contract_id
         JOIN bank_account b ON b.id = c.settlement_account_id
         LEFT JOIN reconciliation_match m ON m.remittance_id = r.id
        WHERE r.establishment_id = $1
          AND ($2::uuid IS NULL OR r.merchant_contract_id = $2)
          AND ($3::uuid IS NULL OR c.settlement_account_id = $3)
          AND ($4::date IS NULL OR r.settlement_date >= $4)
          AND ($5::date IS NULL OR r.settlement_date <= $5)
          AND (NOT $6::boolean OR m.id IS NULL)
          AND ($7::uuid[] IS NULL OR r.id = ANY($7::uuid[]))
        ORDER BY r.settlement_date, c.number, r.id`,
      [
        establishmentId,
        filter.contractId ?? null,
        filter.accountId ?? null,
        filter.from ?? null,
        filter.to ?? null,
        filter.unmatched ?? false,
        filter.ids ?? null,
      ],
    );
    return camelRows<RemittanceRow>(rows);
  }

  /** Credit lines of the account with no match, in the period of their booking date. */
  async unmatchedCreditLines(establishmentId: string, accountId: string, from?: string, to?: string): Promise<CreditLineRow[]> {
    const rows: Record<string, unknown>[] = await this.tx.manager.query(
      `SELECT l.id, l.bank_account_id, b.iban, to_char(l.booking_date, 'YYYY-MM-DD') AS booking_date, l.amount_cents::int AS amount_cents,
              l.label, l.bank_reference, l.end_to_end_id, l.additional_text
         FROM statement_line l JOIN bank_account b ON b.id = l.bank_account_id
        WHERE l.establishment_id = $1 AND l.bank_account_id = $2 AND l.direction = 'credit'
          AND NOT EXISTS (SELECT 1 FROM reconciliation_match m WHERE m.statement_line_id = l.id)
          AND ($3::date IS NULL OR l.booking_date >= $3) AND ($4::date IS NULL OR l.booking_date <= $4)
        ORDER BY l.booking_date, l.id`,
      [establishmentId, accountId, from ?? null, to ?? null],
    );
    return camelRows<CreditLineRow>(rows);
  }

  async findCreditLine(establishmentId: string, id: string): Promise<CreditLineRow | null> {
    if (!isUuid(id)) return null;
    const rows: Record<string, unknown>[] = await this.tx.manager.query(
      `SELECT l.id, l.bank_account_id, b.iban, to_char(l.booking_date, 'YYYY-MM-DD') AS booking_date, l.amount_cents::int AS amount_cents,
              l.label, l.bank_reference, l.end_to_end_id, l.additional_text
         FROM statement_line l JOIN bank_account b ON b.id = l.bank_account_id
        WHERE l.establishment_id = $1 AND l.id = $2 AND l.direction = 'credit'`,
      [establishmentId, id],
    );
    return rows[0] ? camelRow<CreditLineRow>(rows[0]) : null;
  }

  /** The pairs an accountant unmatched by hand: never matched again automatically. */
  async unmatchedPairs(establishmentId: string): Promise<Set<string>> {
    const rows: { pair: string }[] = await this.tx.manager.query(
      `SELECT DISTINCT remittance_id || '/' || statement_line_id AS pair FROM reconciliation_event WHERE establishment_id = $1 AND action = 'unmatch'`,
      [establishmentId],
    );
    return new Set(rows.map((r) => r.pair));
  }

  /** Inserts the matches whose remittance and line are both free; journal lines get their credit date. Returns how many. */
  async insertMatches(matches: readonly NewMatch[]): Promise<number> {
    if (matches.length === 0) return 0;
    const rows = returnedRows<{ remittance_id: string }>(
      await this.tx.manager.query(
        `WITH inserted AS (
           INSERT INTO reconciliation_match (id, establishment_id, remittance_id, statement_line_id, kind, difference_cents, credit_date,
                                             matched_by, reason, matched_at)
           SELECT x.id, x."establishmentId", x."remittanceId", x."statementLineId", x.kind, x."differenceCents", x."creditDate", x."matchedBy",
                  x.reason, x."matchedAt"
             FROM jsonb_to_recordset($1::jsonb) AS x(id uuid, "establishmentId" uuid, "remittanceId" uuid, "statementLineId" uuid, kind varchar,
                  "differenceCents" bigint, "creditDate" date, "matchedBy" varchar, reason varchar, "matchedAt" timestamptz)
           ON CONFLICT DO NOTHING
           RETURNING remittance_id, credit_date),
         credited AS (
           UPDATE journal_line j SET credited_on = i.credit_date FROM inserted i WHERE j.remittance_id = i.remittance_id RETURNING j.id)
         SELECT remittance_id FROM inserted`,
        [JSON.stringify(matches)],
      ),
    );
    return rows.length;
  }

  async findMatch(establishmentId: string, id: string): Promise<MatchRow | null> {
    if (!isUuid(id)) return null;
    const rows = await this.matches(establishmentId, { id });
    return rows[0] ?? null;
  }

  async matches(establishmentId: string, filter: { accountId?: string; from?: string; to?: string; id?: string }): Promise<MatchRow[]> {
    const rows: Record<string, unknown>[] = await this.tx.manager.query(
      `SELECT m.id, m.remittance_id, m.statement_line_id, m.kind, m.difference_cents::int AS difference_cents,
              to_char(m.credit_date, 'YYYY-MM-DD') AS credit_date, m.matched_by, m.reason, m.matched_at,
              c.number AS contract_number, to_char(r.settlement_date, 'YYYY-MM-DD') AS settlement_date, r.reference,
              r.total_cents::int AS expected_cents, l.amount_cents::int AS credited_cents, l.label
         FROM reconciliation_match m
         JOIN remittance r ON r.id = m.remittance_id
         JOIN merchant_contract c ON c.id = r.merchant_contract_id
         JOIN statement_line l ON l.id = m.statement_line_id
        WHERE m.establishment_id = $1
          AND ($2::uuid IS NULL OR l.bank_account_id = $2)
          AND ($3::date IS NULL OR m.credit_date >= $3) AND ($4::date IS NULL OR m.credit_date <= $4)
          AND ($5::uuid IS NULL OR m.id = $5)
        ORDER BY m.credit_date, m.id`,
      [establishmentId, filter.accountId ?? null, filter.from ?? null, filter.to ?? null, filter.id ?? null],
    );
    return camelRows<MatchRow>(rows);
  }

  /** Removes the match; the journal lines of its remittance lose their credit date. */
  async deleteMatch(establishmentId: string, id: string): Promise<void> {
    await this.tx.manager.query(
      `WITH deleted AS (DELETE FROM reconciliation_match WHERE establishment_id = $1 AND id = $2 RETURNING remittance_id)
       UPDATE journal_line j SET credited_on = NULL FROM deleted d WHERE j.remittance_id = d.remittance_id`,
      [establishmentId, id],
    );
  }

  async logReconciliation(event: {
    establishmentId: string;
    action: 'match' | 'unmatch';
    remittanceId: string;
    statementLineId: string;
    actor: string;
    reason: string;
    at: Date;
  }): Promise<void> {
    await this.tx.manager.query(
      `INSERT INTO reconciliation_event (establishment_id, action, remittance_id, statement_line_id, actor, reason, at)
       VALUES ($1, $2, $3, $4, $5, $6, $7)`,
      [event.establishmentId, event.action, event.remittanceId, event.statementLineId, event.actor, event.reason, event.at],
    );
  }

  /** The bank accounts the lines of a statement were booked on. */
  async statementAccountIds(statementId: string): Promise<string[]> {
    const rows: { id: string }[] = await this.tx.manager.query(`SELECT DISTINCT bank_account_id AS id FROM statement_line WHERE statement_id = $1`, [
      statementId,
    ]);
    return rows.map((r) => r.id);
  }
}
