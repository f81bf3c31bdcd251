import { Cents, DomainError, isCents } from '@diapason/domain';
import { BusinessDayPredicate, IsoDate, addBusinessDays, frenchBusinessCalendar, isIsoDate } from './calendar';
import { normaliseIban } from './iban';
import { BankStatement } from './statement';

/**
 * Matching acquirer remittances with the credit lines of the settlement account's statements.
 * Pure and deterministic: the same inputs, in any order, give the same result.
 */

export interface RemittanceDebit {
  readonly id: string;
  readonly amountCents: Cents;
}

/** One day's accepted transactions of one merchant contract, credited by the acquirer as one sum. */
export interface Remittance {
  readonly id: string;
  readonly contractNumber: string;
  /** IBAN of the account the contract is settled on (the DFT account, or another under multi-domiciliation). */
  readonly settlementAccount: string | null;
  readonly settlementDate: IsoDate;
  readonly totalCents: Cents;
  /** The acquirer's remittance reference, when it travels with the credit. */
  readonly reference: string | null;
  readonly debits: readonly RemittanceDebit[];
}

/** A credit on a statement, with an identifier stable for the caller (e.g. its row id). */
export interface CreditLine {
  readonly id: string;
  readonly accountIban: string | null;
  readonly bookingDate: IsoDate;
  readonly amountCents: Cents;
  readonly label: string;
  readonly bankReference: string | null;
  readonly endToEndId: string | null;
  readonly additionalText: readonly string[];
}

export interface ReconciliationOptions {
  /** The day the reconciliation is run: remittances expected before it and not credited are overdue. */
  readonly asOf: IsoDate;
  /** Business days after the settlement date within which the credit is expected (3 by default). */
  readonly creditWindowBusinessDays?: number;
  readonly isBusinessDay?: BusinessDayPredicate;
}

export const DEFAULT_CREDIT_WINDOW_BUSINESS_DAYS = 3;
/** Shorter references (`1`, `CB`) would be found in almost any label. */
export const MIN_REFERENCE_LENGTH = 4;
/** References are looked for as runs of up to this many consecutive words (`REM 2026 0001`). */
const MAX_REFERENCE_WORDS = 6;

/**
 * `reference`: the line carries the remittance's reference and its amount; `amount_and_date`: same
 * amount, credited within the window, no other remittance's reference on the line;
 * `reference_amount_difference`: the line carries the reference but another amount.
 */
export type MatchKind = 'reference' | 'amount_and_date' | 'reference_amount_difference';

export interface ReconciliationMatch {
  readonly remittanceId: string;
  readonly statementLineId: string;
  readonly kind: MatchKind;
  readonly expectedCents: Cents;
  readonly creditedCents: Cents;
  /** Credited minus expected: negative when less arrived (a commission deducted, for instance). */
  readonly differenceCents: Cents;
  readonly creditDate: IsoDate;
  /** Last business day of the window: a reference match may arrive after it. */
  readonly expectedBy: IsoDate;
  readonly creditedLate: boolean;
  /** The year of the annual statement the encashment belongs to. */
  readonly annualYear: number;
}

export interface DebitsMismatch {
  readonly remittanceId: string;
  readonly totalCents: Cents;
  readonly debitsTotalCents: Cents;
  /** Total minus the sum of the debits. */
  readonly differenceCents: Cents;
}

export interface UncreditedRemittance {
  readonly remittanceId: string;
  readonly settlementDate: IsoDate;
  readonly expectedBy: IsoDate;
  readonly totalCents: Cents;
}

export interface ReconciliationResult {
  /** Sorted by credit date, then statement line id. */
  readonly matches: readonly ReconciliationMatch[];
  /** The matches whose credited amount is not the remittance total. */
  readonly amountDifferences: readonly ReconciliationMatch[];
  /** Remittances whose debits do not add up to their total, whether credited or not. */
  readonly debitsMismatches: readonly DebitsMismatch[];
  /** Credit lines no remittance explains, sorted by date then id. */
  readonly unmatchedLineIds: readonly string[];
  /** Not credited and past their expected date. */
  readonly overdueRemittances: readonly UncreditedRemittance[];
  /** Not credited yet, still within their window. */
  readonly pendingRemittances: readonly UncreditedRemittance[];
}

/**
 * The year rule: an encashment belongs to the régie's annual statement (arrêté annuel) of the year
 * in which it is credited on the DFT account, even when the card was debited in December and the
 * funds arrive in January. Nothing is suspended at year end, so the credit date alone decides.
 */
export function annualYearOf(creditDate: IsoDate): number {
  if (!isIsoDate(creditDate)) throw new RangeError(`Date de crédit invalide : « ${String(creditDate)} » (attendu AAAA-MM-JJ).`);
  return Number(creditDate.slice(0, 4));
}

/** The credit lines of a normalised statement, identified `<prefix><account>-<line>` (1-based, file order). */
export function creditLinesOf(statement: BankStatement, idPrefix = ''): CreditLine[] {
  return statement.accounts.flatMap((accountStatement, accountIndex) =>
    accountStatement.lines.flatMap((line, lineIndex) =>
      line.direction === 'credit'
        ? [
            {
              id: `${idPrefix}${accountIndex + 1}-${lineIndex + 1}`,
              accountIban: accountStatement.account.iban,
              bookingDate: line.bookingDate,
              amountCents: line.amountCents,
              label: line.label,
              bankReference: line.bankReference,
              endToEndId: line.endToEndId,
              additionalText: line.additionalText,
            },
          ]
        : [],
    ),
  );
}

/** Upper case, accents and every separator dropped: `rém-2026/0001` and `REM 2026 0001` are one reference. */
export function normaliseReference(reference: string): string {
  return reference
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .toUpperCase()
    .replace(/[^A-Z0-9]/g, '');
}

/** Every run of up to MAX_REFERENCE_WORDS consecutive words of every text field, normalised. */
function referenceCandidates(line: CreditLine): Set<string> {
  const candidates = new Set<string>();
  const fields = [line.label, line.bankReference ?? '', line.endToEndId ?? '', ...line.additionalText];
  for (const field of fields) {
    const words = normaliseReferenceWords(field);
    for (let start = 0; start < words.length; start += 1) {
      let run = '';
      for (let end = start; end < Math.min(words.length, start + MAX_REFERENCE_WORDS); end += 1) {
        run += words[end];
        if (run.length >= MIN_REFERENCE_LENGTH) candidates.add(run);
      }
    }
  }
  return candidates;
}

function normaliseReferenceWords(text: string): string[] {
  return text
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .toUpperCase()
    .split(/[^A-Z0-9]+/)
    .filter((word) => word !== '');
}

function compareText(left: string, right: string): number {
  return left < right ? -1 : left > right ? 1 : 0;
}

function invalid(message: string): never {
  throw new DomainError('invalid', 'invalid_reconciliation_input', message);
}

interface PreparedRemittance {
  readonly remittance: Remittance;
  readonly account: string | null;
  readonly reference: string | null;
  readonly expectedBy: IsoDate;
}

interface PreparedLine {
  readonly line: CreditLine;
  readonly account: string | null;
  /** Normalised references of known remittances that the line carries. */
  readonly carried: readonly string[];
}

const byLine = (left: PreparedLine, right: PreparedLine) =>
  compareText(left.line.bookingDate, right.line.bookingDate) || compareText(left.line.id, right.line.id);

export function reconcile(remittances: readonly Remittance[], lines: readonly CreditLine[], options: ReconciliationOptions): ReconciliationResult {
  const windowDays = options.creditWindowBusinessDays ?? DEFAULT_CREDIT_WINDOW_BUSINESS_DAYS;
  const isBusinessDay = options.isBusinessDay ?? frenchBusinessCalendar();
  if (!isIsoDate(options.asOf)) invalid(`Date de rapprochement invalide : « ${String(options.asOf)} ».`);
  if (!Number.isInteger(windowDays) || windowDays < 0) invalid(`Délai de crédit invalide : ${windowDays} jours ouvrés.`);

  const expectedByCache = new Map<IsoDate, IsoDate>();
  const seenRemittances = new Set<string>();
  const prepared: PreparedRemittance[] = remittances.map((remittance) => {
    if (seenRemittances.has(remittance.id)) invalid(`Remise ${remittance.id} présente deux fois.`);
    seenRemittances.add(remittance.id);
    if (!isIsoDate(remittance.settlementDate))
      invalid(`Remise ${remittance.id} : date de règlement invalide « ${String(remittance.settlementDate)} ».`);
    if (!isCents(remittance.totalCents)) invalid(`Remise ${remittance.id} : le total doit être un nombre entier de centimes.`);
    let expectedBy = expectedByCache.get(remittance.settlementDate);
    if (expectedBy === undefined) {
      expectedBy = addBusinessDays(remittance.settlementDate, windowDays, isBusinessDay);
      expectedByCache.set(remittance.settlementDate, expectedBy);
    }
    const reference = remittance.reference === null ? '' : normaliseReference(remittance.reference);
    return {
      remittance,
      account: remittance.settlementAccount === null ? null : normaliseIban(remittance.settlementAccount),
      reference: reference.length >= MIN_REFERENCE_LENGTH ? reference : null,
      expectedBy,
    };
  });
  prepared.sort(
    (left, right) =>
      compareText(left.expectedBy, right.expectedBy) ||
      compareText(left.remittance.settlementDate, right.remittance.settlementDate) ||
      compareText(left.remittance.id, right.remittance.id),
  );

  const knownReferences = new Set(prepared.flatMap((item) => (item.reference === null ? [] : [item.reference])));
  const seenLines = new Set<string>();
  const preparedLines: PreparedLine[] = lines.map((line) => {
    if (seenLines.has(line.id)) invalid(`Ligne de relevé ${line.id} présente deux fois.`);
    seenLines.add(line.id);
    if (!isIsoDate(line.bookingDate)) invalid(`Ligne de relevé ${line.id} : date de comptabilisation invalide « ${String(line.bookingDate)} ».`);
    if (!isCents(line.amountCents) || line.amountCents < 0)
      invalid(`Ligne de relevé ${line.id} : le montant doit être un nombre entier positif de centimes.`);
    const carried = [...referenceCandidates(line)].filter((candidate) => knownReferences.has(candidate)).sort(compareText);
    return { line, account: line.accountIban === null ? null : normaliseIban(line.accountIban), carried };
  });
  preparedLines.sort(byLine);

  const linesByAmount = new Map<Cents, PreparedLine[]>();
  const linesByReference = new Map<string, PreparedLine[]>();
  for (const item of preparedLines) {
    const sameAmount = linesByAmount.get(item.line.amountCents);
    if (sameAmount) sameAmount.push(item);
    else linesByAmount.set(item.line.amountCents, [item]);
    for (const reference of item.carried) {
      const sameReference = linesByReference.get(reference);
      if (sameReference) sameReference.push(item);
      else linesByReference.set(reference, [item]);
    }
  }

  const matchedLines = new Set<string>();
  const matchedRemittances = new Set<string>();
  const matches: ReconciliationMatch[] = [];
  const sameAccount = (remittance: PreparedRemittance, line: PreparedLine) =>
    remittance.account === null || line.account === null || remittance.account === line.account;
  const record = (remittance: PreparedRemittance, line: PreparedLine, kind: MatchKind) => {
    matchedLines.add(line.line.id);
    matchedRemittances.add(remittance.remittance.id);
    matches.push({
      remittanceId: remittance.remittance.id,
      statementLineId: line.line.id,
      kind,
      expectedCents: remittance.remittance.totalCents,
      creditedCents: line.line.amountCents,
      differenceCents: line.line.amountCents - remittance.remittance.totalCents,
      creditDate: line.line.bookingDate,
      expectedBy: remittance.expectedBy,
      creditedLate: line.line.bookingDate > remittance.expectedBy,
      annualYear: annualYearOf(line.line.bookingDate),
    });
  };

  // A reference is strong evidence: it is enough that the credit does not precede the settlement.
  const byReference = (sameAmountOnly: boolean, kind: MatchKind) => {
    for (const remittance of prepared) {
      if (remittance.reference === null || matchedRemittances.has(remittance.remittance.id)) continue;
      const candidate = (linesByReference.get(remittance.reference) ?? []).find(
        (line) =>
          !matchedLines.has(line.line.id) &&
          sameAccount(remittance, line) &&
          line.line.bookingDate >= remittance.remittance.settlementDate &&
          (line.line.amountCents === remittance.remittance.totalCents) === sameAmountOnly,
      );
      if (candidate) record(remittance, candidate, kind);
    }
  };

  byReference(true, 'reference');

  // Earliest deadline first, each taking the earliest free credit in its window: the classic greedy
  // that matches as many interval-point pairs as possible.
  for (const remittance of prepared) {
    if (matchedRemittances.has(remittance.remittance.id)) continue;
    const sameAmount = linesByAmount.get(remittance.remittance.totalCents);
    if (!sameAmount) continue;
    const windowStart = remittance.remittance.settlementDate;
    for (let index = firstOnOrAfter(sameAmount, windowStart); index < sameAmount.length; index += 1) {
      const line = sameAmount[index];
      if (line.line.bookingDate > remittance.expectedBy) break;
      if (matchedLines.has(line.line.id) || !sameAccount(remittance, line)) continue;
      if (line.carried.length > 0 && (remittance.reference === null || !line.carried.includes(remittance.reference))) continue;
      record(remittance, line, 'amount_and_date');
      break;
    }
  }

  byReference(false, 'reference_amount_difference');

  matches.sort((left, right) => compareText(left.creditDate, right.creditDate) || compareText(left.statementLineId, right.statementLineId));

  const debitsMismatches: DebitsMismatch[] = [];
  const overdueRemittances: UncreditedRemittance[] = [];
  const pendingRemittances: UncreditedRemittance[] = [];
  const byRemittanceId = [...prepared].sort((left, right) => compareText(left.remittance.id, right.remittance.id));
  for (const { remittance, expectedBy } of byRemittanceId) {
    const debitsTotalCents = remittance.debits.reduce((sum, debit) => {
      if (!isCents(debit.amountCents)) invalid(`Remise ${remittance.id}, débit ${debit.id} : le montant doit être un nombre entier de centimes.`);
      return sum + debit.amountCents;
    }, 0);
    if (debitsTotalCents !== remittance.totalCents) {
      debitsMismatches.push({
        remittanceId: remittance.id,
        totalCents: remittance.totalCents,
        debitsTotalCents,
        differenceCents: remittance.totalCents - debitsTotalCents,
      });
    }
    if (!matchedRemittances.has(remittance.id)) {
      const uncredited = { remittanceId: remittance.id, settlementDate: remittance.settlementDate, expectedBy, totalCents: remittance.totalCents };
      (options.asOf > expectedBy ? overdueRemittances : pendingRemittances).push(uncredited);
    }
  }

  return {
    matches,
    amountDifferences: matches.filter((match) => match.differenceCents !== 0),
    debitsMismatches,
    unmatchedLineIds: preparedLines.filter((line) => !matchedLines.has(line.line.id)).map((line) => line.line.id),
    overdueRemittances,
    pendingRemittances,
  };
}

function firstOnOrAfter(lines: readonly PreparedLine[], date: IsoDate): number {
  let low = 0;
  let high = lines.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (lines[middle].line.bookingDate < date) low = middle + 1;
    else high = middle;
  }
  return low;
}
