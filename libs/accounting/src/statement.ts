import { Cents } from '@diapason/domain';
import { IsoDate } from './calendar';
import type { Cfonb120Statement } from './cfonb120';
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
