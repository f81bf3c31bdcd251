import { Cents } from '@diapason/domain';
import { IsoDate } from './calendar';
import { camt053Version, parseCamt053 } from './camt053';
import { Cfonb120ParseOptions, Cfonb120Statement, parseCfonb120 } from './cfonb120';
import { decodeStatementText } from './encoding';
import { BankStatementError } from './errors';
import { frenchIbanFromRib } from './iban';

/**
 * One shape for every bank statement, whatever the bank sent (CFONB 120 or camt.053): the rest
 * of the system (reconciliation, journal, annual statement) never looks at the file format.
 */
export type StatementFormat = 'cfonb120' | 'camt053';
export type EntryDirection = 'credit' | 'debit';

/** Identified by IBAN, by bank / branch / account number, or both when one can be derived from the other. */
export interface StatementAccount {
  readonly iban: string | null;
  readonly bankCode: string | null;
  readonly branchCode: string | null;
  readonly accountNumber: string | null;
  readonly currency: string;
}

export interface StatementBalance {
  readonly date: IsoDate;
  /** Signed: a debit (overdrawn) balance is negative. */
  readonly amountCents: Cents;
}

export interface StatementLine {
  readonly direction: EntryDirection;
  /** Never negative: the direction carries the sign. */
  readonly amountCents: Cents;
  readonly bookingDate: IsoDate;
  readonly valueDate: IsoDate | null;
  readonly label: string;
  /** The bank's own reference of the entry (CFONB reference, camt `AcctSvcrRef`). */
  readonly bankReference: string | null;
  /** The payer's end-to-end identification (camt `EndToEndId`, CFONB `05` RCN complement). */
  readonly endToEndId: string | null;
  /** CFONB `05` complements, camt `RmtInf/Ustrd`: where remittance references usually hide. */
  readonly additionalText: readonly string[];
}

/** One account over one period: a CFONB `01`…`07` block, a camt `Stmt`. */
export interface AccountStatement {
  readonly account: StatementAccount;
  readonly openingBalance: StatementBalance | null;
  readonly closingBalance: StatementBalance | null;
  readonly lines: readonly StatementLine[];
}

export interface BankStatement {
  readonly format: StatementFormat;
  readonly accounts: readonly AccountStatement[];
}

/** The SEPA end-to-end reference rides in the first 35 characters of a `05` record qualified RCN. */
const END_TO_END_QUALIFIER = 'RCN';
const END_TO_END_LENGTH = 35;

/**
 * The CFONB record carries no RIB key, so the IBAN is computed from bank, branch and account
 * number: the one the bank would print for that account.
 */
export function fromCfonb(statement: Cfonb120Statement): BankStatement {
  return {
    format: 'cfonb120',
    accounts: statement.accounts.map((block) => ({
      account: {
        iban: frenchIbanFromRib(block.bankCode, block.branchCode, block.accountNumber),
        bankCode: block.bankCode,
        branchCode: block.branchCode,
        accountNumber: block.accountNumber,
        currency: block.currency,
      },
      openingBalance: block.openingBalance,
      closingBalance: block.closingBalance,
      lines: block.movements.map((movement) => {
        const endToEnd = movement.complements.find((complement) => complement.qualifier === END_TO_END_QUALIFIER);
        const endToEndId = endToEnd?.text.slice(0, END_TO_END_LENGTH).trim() ?? '';
        return {
          direction: movement.amountCents < 0 ? 'debit' : 'credit',
          amountCents: Math.abs(movement.amountCents),
          bookingDate: movement.accountingDate,
          valueDate: movement.valueDate,
          label: movement.label,
          bankReference: movement.reference === '' ? null : movement.reference,
          endToEndId: endToEndId === '' ? null : endToEndId,
          additionalText: movement.complements.map((complement) => complement.text),
        };
      }),
    })),
  };
}

/** A credit adds to the balance, a debit takes from it. */
export function signedAmountCents(line: Pick<StatementLine, 'direction' | 'amountCents'>): Cents {
  return line.direction === 'debit' && line.amountCents !== 0 ? -line.amountCents : line.amountCents;
}

/**
 * Recognises a statement by its content, never by its file name: a camt.053 document by its
 * ISO 20022 namespace, a CFONB 120 file by its first record (an old balance, `01`, with a numeric
 * bank code).
 */
export function detectStatementFormat(content: string | Uint8Array): StatementFormat | null {
  const text = decodeStatementText(content).trimStart();
  if (text.startsWith('<')) return camt053Version(text) === null ? null : 'camt053';
  const firstRecord = text.split(/\r\n|\n|\r/, 1)[0] ?? '';
  return /^01\d{5}.{14}\S/.test(firstRecord) && firstRecord.trimEnd().length <= 120 ? 'cfonb120' : null;
}

export type BankStatementParse =
  | { readonly ok: true; readonly statement: BankStatement }
  | { readonly ok: false; readonly message: string; readonly line: number | null; readonly field: string | null };

export interface BankStatementParseOptions {
  readonly cfonb120?: Cfonb120ParseOptions;
}

/** Whatever the bank sent, the normalised statement or a French reason naming the line and field. */
export function parseBankStatement(content: string | Uint8Array, options: BankStatementParseOptions = {}): BankStatementParse {
  try {
    switch (detectStatementFormat(content)) {
      case 'cfonb120':
        return { ok: true, statement: fromCfonb(parseCfonb120(content, options.cfonb120)) };
      case 'camt053':
        return { ok: true, statement: parseCamt053(content) };
      default:
        return {
          ok: false,
          message: 'Format de relevé non reconnu : ni CFONB 120 (première ligne « 01… »), ni camt.053 (XML ISO 20022).',
          line: null,
          field: null,
        };
    }
  } catch (error) {
    if (error instanceof BankStatementError) return { ok: false, message: error.message, line: error.line, field: error.field };
    throw error;
  }
}
