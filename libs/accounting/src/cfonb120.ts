import { Cents } from '@diapason/domain';
import { IsoDate, isCalendarDate, isoDate } from './calendar';
import { decodeStatementText } from './encoding';
import { BankStatementError } from './errors';

/**
 * CFONB 120 « relevé de compte sur support informatique »: fixed 120-character records.
 *
 * Positions follow the CFONB 2004 brochure. The `05` complement record puts its qualifier at
 * 46–48 and its text at 49–118 (119–120 reserved), as banks actually send it.
 *
 * Two-digit years pivot at 80: `80`…`99` are 1980…1999, `00`…`79` are 2000…2079.
 */

export const CFONB120_RECORD_LENGTH = 120;
/** Years `YY` at or above the pivot are 19YY; below it, 20YY. */
export const CFONB120_YEAR_PIVOT = 80;
const FIRST_YEAR = 1900 + CFONB120_YEAR_PIVOT;
const LAST_YEAR = 2000 + CFONB120_YEAR_PIVOT - 1;

export interface Cfonb120Balance {
  readonly date: IsoDate;
  /** Signed: a debit balance is negative. */
  readonly amountCents: Cents;
}

/** A `05` record: more about the `04` movement it follows (LIB label, NPY payer, RCN end-to-end reference, REF…). */
export interface Cfonb120Complement {
  readonly qualifier: string;
  readonly text: string;
}

export interface Cfonb120Movement {
  /** Positions 8–11: the bank's own operation code. */
  readonly bankOperationCode: string;
  /** Positions 33–34: the interbank operation code (e.g. `05` transfer received). */
  readonly operationCode: string;
  readonly accountingDate: IsoDate;
  readonly valueDate: IsoDate | null;
  readonly rejectionCode: string;
  readonly label: string;
  readonly entryNumber: string;
  readonly exemptionIndicator: string;
  readonly unavailabilityIndicator: string;
  /** Signed: credits are positive, debits negative. */
  readonly amountCents: Cents;
  readonly reference: string;
  readonly complements: readonly Cfonb120Complement[];
}

/** One `01` … `07` block: one account over one period (usually a day). */
export interface Cfonb120AccountStatement {
  readonly bankCode: string;
  readonly branchCode: string;
  readonly accountNumber: string;
  readonly currency: string;
  readonly openingBalance: Cfonb120Balance;
  readonly closingBalance: Cfonb120Balance;
  readonly movements: readonly Cfonb120Movement[];
}

export interface Cfonb120Statement {
  readonly accounts: readonly Cfonb120AccountStatement[];
}

export interface Cfonb120ParseOptions {
  /**
   * Refuse a block whose closing balance is not the opening balance plus its movements. On by
   * default: a file that does not add up has lost or altered a line.
   */
  readonly checkBalances?: boolean;
}

const POSITIVE_SIGNS = '{ABCDEFGHI';
const NEGATIVE_SIGNS = '}JKLMNOPQR';
const MAX_AMOUNT_UNITS = 99_999_999_999_999;

/** Characters written in text fields: the EPC (SEPA) basic Latin set, in upper case. */
export const CFONB120_TEXT_CHARACTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 /-?:().,'+";
const OUTSIDE_TEXT_CHARACTERS = /[^A-Z0-9 /\-?:().,'+]/g;

/** Where the last field that a record cannot do without ends (the amount; the date on a `05`). */
const MINIMUM_LENGTH: Readonly<Record<string, number>> = { '01': 104, '04': 104, '05': 40, '07': 104 };

const FIELD_NAMES = {
  recordCode: 'code enregistrement',
  bankCode: 'code banque',
  branchCode: 'code guichet',
  currency: 'code devise',
  decimals: 'nombre de décimales',
  accountNumber: 'numéro de compte',
  date: 'date',
  valueDate: 'date de valeur',
  amount: 'montant',
  length: 'longueur',
  characters: 'caractères',
  sequence: 'enchaînement',
  balance: 'solde',
} as const;

function fail(line: number, field: string, message: string): never {
  throw new BankStatementError(`Relevé CFONB 120, ligne ${line}, ${field} : ${message}`, line, field);
}

/** 1-based inclusive positions, as in the CFONB brochure. */
function at(record: string, from: number, to: number): string {
  return record.slice(from - 1, to);
}

function parseDate(raw: string, line: number, field: string): IsoDate {
  if (!/^\d{6}$/.test(raw)) fail(line, field, `« ${raw} » n’est pas une date JJMMAA.`);
  const day = Number(raw.slice(0, 2));
  const month = Number(raw.slice(2, 4));
  const yy = Number(raw.slice(4, 6));
  const year = yy >= CFONB120_YEAR_PIVOT ? 1900 + yy : 2000 + yy;
  if (!isCalendarDate(year, month, day)) fail(line, field, `« ${raw} » n’est pas une date du calendrier.`);
  return isoDate(year, month, day);
}

function parseAmount(raw: string, decimals: number, line: number): Cents {
  const digits = raw.slice(0, 13);
  const signCharacter = raw.slice(13, 14);
  if (!/^\d{13}$/.test(digits)) fail(line, FIELD_NAMES.amount, `« ${raw} » : les 13 premiers caractères doivent être des chiffres.`);
  let lastDigit = POSITIVE_SIGNS.indexOf(signCharacter);
  let sign = 1;
  if (lastDigit < 0) {
    lastDigit = NEGATIVE_SIGNS.indexOf(signCharacter);
    sign = -1;
  }
  if (signCharacter === '' || lastDigit < 0) {
    fail(
      line,
      FIELD_NAMES.amount,
      `« ${signCharacter} » n’est pas un dernier caractère de montant ({, A à I pour un crédit ; }, J à R pour un débit).`,
    );
  }
  const units = Number(digits) * 10 + lastDigit;
  let cents: number;
  if (decimals <= 2) {
    cents = units * 10 ** (2 - decimals);
  } else {
    const divisor = 10 ** (decimals - 2);
    if (units % divisor !== 0) fail(line, FIELD_NAMES.amount, `« ${raw} » avec ${decimals} décimales ne tombe pas sur un centime.`);
    cents = units / divisor;
  }
  if (!Number.isSafeInteger(cents)) fail(line, FIELD_NAMES.amount, `« ${raw} » dépasse la capacité de calcul en centimes.`);
  return cents === 0 ? 0 : sign * cents;
}

interface AccountKey {
  readonly bankCode: string;
  readonly branchCode: string;
  readonly accountNumber: string;
  readonly currency: string;
  readonly decimals: number;
}

function parseAccountKey(record: string, line: number): AccountKey {
  const bankCode = at(record, 3, 7);
  const branchCode = at(record, 12, 16);
  const currency = at(record, 17, 19);
  const decimalsRaw = at(record, 20, 20);
  const accountNumber = at(record, 22, 32);
  if (!/^\d{5}$/.test(bankCode)) fail(line, FIELD_NAMES.bankCode, `« ${bankCode} » doit avoir 5 chiffres.`);
  if (!/^\d{5}$/.test(branchCode)) fail(line, FIELD_NAMES.branchCode, `« ${branchCode} » doit avoir 5 chiffres.`);
  if (!/^[A-Z]{3}$/.test(currency)) fail(line, FIELD_NAMES.currency, `« ${currency} » n’est pas un code ISO 4217.`);
  if (!/^\d$/.test(decimalsRaw)) fail(line, FIELD_NAMES.decimals, `« ${decimalsRaw} » doit être un chiffre.`);
  if (!/^[0-9A-Za-z]{11}$/.test(accountNumber)) fail(line, FIELD_NAMES.accountNumber, `« ${accountNumber} » doit avoir 11 chiffres ou lettres.`);
  return { bankCode, branchCode, accountNumber: accountNumber.toUpperCase(), currency, decimals: Number(decimalsRaw) };
}

function sameAccount(left: AccountKey, right: AccountKey): boolean {
  return (
    left.bankCode === right.bankCode &&
    left.branchCode === right.branchCode &&
    left.accountNumber === right.accountNumber &&
    left.currency === right.currency
  );
}

interface Record120 {
  readonly line: number;
  readonly text: string;
}

/**
 * Lines end with CR LF, LF or a lone CR; a file may also be one unbroken run of 120-character
 * records. Blank lines are skipped. Trailing spaces are tolerated both ways: beyond position 120,
 * and missing at the end of a record (editors strip a blank reference), as long as the record
 * still reaches its last meaningful field (the amount, or the date of a `05`).
 */
function splitRecords(text: string): Record120[] {
  const lines = /[\r\n]/.test(text) || text.length <= CFONB120_RECORD_LENGTH ? text.split(/\r\n|\n|\r/) : chunk(text);
  const records: Record120[] = [];
  lines.forEach((raw, index) => {
    const line = index + 1;
    const trimmed = raw.replace(/\s+$/, '');
    if (trimmed === '') return;
    if ([...trimmed].some((c) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f))
      fail(line, FIELD_NAMES.characters, 'la ligne contient un caractère de contrôle (tabulation ou autre).');
    if (trimmed.length > CFONB120_RECORD_LENGTH) {
      fail(line, FIELD_NAMES.length, `${trimmed.length} caractères au lieu de ${CFONB120_RECORD_LENGTH}.`);
    }
    const code = trimmed.slice(0, 2);
    const minimum = MINIMUM_LENGTH[code];
    if (minimum === undefined) fail(line, FIELD_NAMES.recordCode, `« ${code} » inconnu (attendu 01, 04, 05 ou 07).`);
    if (trimmed.length < minimum) {
      fail(line, FIELD_NAMES.length, `enregistrement tronqué : ${trimmed.length} caractères au lieu de ${CFONB120_RECORD_LENGTH}.`);
    }
    records.push({ line, text: trimmed.padEnd(CFONB120_RECORD_LENGTH, ' ') });
  });
  return records;
}

function chunk(text: string): string[] {
  const records: string[] = [];
  for (let start = 0; start < text.length; start += CFONB120_RECORD_LENGTH) records.push(text.slice(start, start + CFONB120_RECORD_LENGTH));
  return records;
}

interface OpenBlock {
  readonly key: AccountKey;
  readonly openingBalance: Cfonb120Balance;
  readonly openedAt: number;
  readonly movements: Array<Cfonb120Movement & { complements: Cfonb120Complement[] }>;
}

function parseMovement(record: string, line: number, decimals: number): Cfonb120Movement & { complements: Cfonb120Complement[] } {
  const valueDateRaw = at(record, 43, 48);
  return {
    bankOperationCode: at(record, 8, 11).trimEnd(),
    operationCode: at(record, 33, 34).trimEnd(),
    accountingDate: parseDate(at(record, 35, 40), line, FIELD_NAMES.date),
    valueDate: /^( {6}|0{6})$/.test(valueDateRaw) ? null : parseDate(valueDateRaw, line, FIELD_NAMES.valueDate),
    rejectionCode: at(record, 41, 42).trimEnd(),
    label: at(record, 49, 79).trimEnd(),
    entryNumber: at(record, 82, 88).trimEnd(),
    exemptionIndicator: at(record, 89, 89).trimEnd(),
    unavailabilityIndicator: at(record, 90, 90).trimEnd(),
    amountCents: parseAmount(at(record, 91, 104), decimals, line),
    reference: at(record, 105, 120).trimEnd(),
    complements: [],
  };
}

function formatCents(cents: number): string {
  const sign = cents < 0 ? '-' : '';
  const abs = Math.abs(cents);
  return `${sign}${Math.trunc(abs / 100)},${String(abs % 100).padStart(2, '0')}`;
}

export function parseCfonb120(content: string | Uint8Array, options: Cfonb120ParseOptions = {}): Cfonb120Statement {
  const checkBalances = options.checkBalances ?? true;
  const accounts: Cfonb120AccountStatement[] = [];
  let block: OpenBlock | null = null;
  let lastLine = 0;
  for (const { line, text: record } of splitRecords(decodeStatementText(content))) {
    lastLine = line;
    const code = at(record, 1, 2);
    const key = parseAccountKey(record, line);
    if (code === '01') {
      if (block)
        fail(
          line,
          FIELD_NAMES.sequence,
          `nouvel ancien solde (01) alors que le relevé ouvert ligne ${block.openedAt} n’a pas de nouveau solde (07).`,
        );
      block = {
        key,
        openingBalance: {
          date: parseDate(at(record, 35, 40), line, FIELD_NAMES.date),
          amountCents: parseAmount(at(record, 91, 104), key.decimals, line),
        },
        openedAt: line,
        movements: [],
      };
      continue;
    }
    if (!block) fail(line, FIELD_NAMES.sequence, `enregistrement ${code} hors d’un relevé (aucun ancien solde 01 ouvert).`);
    if (!sameAccount(block.key, key)) {
      fail(
        line,
        FIELD_NAMES.accountNumber,
        `le compte ${key.bankCode} ${key.branchCode} ${key.accountNumber} (${key.currency}) n’est pas celui du relevé ouvert ligne ${block.openedAt} (${block.key.bankCode} ${block.key.branchCode} ${block.key.accountNumber}, ${block.key.currency}).`,
      );
    }
    if (code === '04') {
      block.movements.push(parseMovement(record, line, key.decimals));
    } else if (code === '05') {
      const movement = block.movements.at(-1);
      if (!movement) fail(line, FIELD_NAMES.sequence, 'complément (05) sans opération (04) qui le précède.');
      movement.complements.push({ qualifier: at(record, 46, 48).trimEnd(), text: at(record, 49, 118).trimEnd() });
    } else {
      const closingBalance = {
        date: parseDate(at(record, 35, 40), line, FIELD_NAMES.date),
        amountCents: parseAmount(at(record, 91, 104), key.decimals, line),
      };
      const expected = block.movements.reduce((sum, movement) => sum + movement.amountCents, block.openingBalance.amountCents);
      if (checkBalances && expected !== closingBalance.amountCents) {
        fail(
          line,
          FIELD_NAMES.balance,
          `le nouveau solde ${formatCents(closingBalance.amountCents)} ne vaut pas l’ancien solde ${formatCents(block.openingBalance.amountCents)} plus les opérations (${formatCents(expected)}).`,
        );
      }
      const { bankCode, branchCode, accountNumber, currency } = block.key;
      accounts.push({
        bankCode,
        branchCode,
        accountNumber,
        currency,
        openingBalance: block.openingBalance,
        closingBalance,
        movements: block.movements,
      });
      block = null;
    }
  }
  if (block) fail(lastLine, FIELD_NAMES.sequence, `le relevé ouvert ligne ${block.openedAt} n’a pas de nouveau solde (07) : fichier incomplet.`);
  if (accounts.length === 0) throw new BankStatementError('Relevé CFONB 120 vide : aucun enregistrement.', null, null);
  return { accounts };
}

/**
 * What a CFONB text field can carry: accents dropped (é → E), ligatures spelt out, typographic
 * quotes made plain, upper case, and any other character turned into a space.
 */
export function sanitiseCfonbText(text: string): string {
  return text
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .replace(/[œŒ]/g, 'OE')
    .replace(/[æÆ]/g, 'AE')
    .replace(/ß/g, 'SS')
    .replace(/[‘’`´]/g, "'")
    .toUpperCase()
    .replace(OUTSIDE_TEXT_CHARACTERS, ' ');
}

function writeFail(field: string, message: string): never {
  throw new BankStatementError(`Relevé CFONB 120 impossible à écrire, ${field} : ${message}`, null, field);
}

function code(value: string, length: number, field: string): string {
  if (value.length > length || !/^[0-9A-Z ]*$/.test(value))
    writeFail(field, `« ${value} » doit tenir en ${length} caractères (chiffres, lettres majuscules).`);
  return value.padEnd(length, ' ');
}

function text(value: string, length: number): string {
  return sanitiseCfonbText(value).slice(0, length).padEnd(length, ' ');
}

function writeDate(date: IsoDate, field: string): string {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  const year = match ? Number(match[1]) : NaN;
  if (!match || !isCalendarDate(year, Number(match[2]), Number(match[3]))) writeFail(field, `« ${date} » n’est pas une date AAAA-MM-JJ.`);
  if (year < FIRST_YEAR || year > LAST_YEAR)
    writeFail(field, `l’année ${year} ne s’écrit pas sur deux chiffres (années ${FIRST_YEAR} à ${LAST_YEAR}).`);
  return `${match[3]}${match[2]}${match[1].slice(2)}`;
}

function writeAmount(cents: Cents): string {
  if (!Number.isSafeInteger(cents) || Math.abs(cents) > MAX_AMOUNT_UNITS)
    writeFail(FIELD_NAMES.amount, `${cents} n’est pas un nombre entier de centimes sur 14 chiffres.`);
  const abs = String(Math.abs(cents)).padStart(14, '0');
  const lastDigit = Number(abs.slice(13));
  return `${abs.slice(0, 13)}${(cents < 0 ? NEGATIVE_SIGNS : POSITIVE_SIGNS)[lastDigit]}`;
}

function accountPart(account: Cfonb120AccountStatement): string {
  if (!/^\d{5}$/.test(account.bankCode)) writeFail(FIELD_NAMES.bankCode, `« ${account.bankCode} » doit avoir 5 chiffres.`);
  if (!/^\d{5}$/.test(account.branchCode)) writeFail(FIELD_NAMES.branchCode, `« ${account.branchCode} » doit avoir 5 chiffres.`);
  if (!/^[A-Z]{3}$/.test(account.currency)) writeFail(FIELD_NAMES.currency, `« ${account.currency} » n’est pas un code ISO 4217.`);
  if (!/^[0-9A-Z]{11}$/.test(account.accountNumber))
    writeFail(FIELD_NAMES.accountNumber, `« ${account.accountNumber} » doit avoir 11 chiffres ou lettres majuscules.`);
  return `${account.currency}2 ${account.accountNumber}`;
}

function record(parts: readonly string[]): string {
  const line = parts.join('');
  if (line.length !== CFONB120_RECORD_LENGTH) throw new Error(`CFONB record of ${line.length} characters`);
  return line;
}

function balanceRecord(recordCode: '01' | '07', account: Cfonb120AccountStatement, balance: Cfonb120Balance): string {
  return record([
    recordCode,
    account.bankCode,
    '    ',
    account.branchCode,
    accountPart(account),
    '  ',
    writeDate(balance.date, FIELD_NAMES.date),
    ' '.repeat(50),
    writeAmount(balance.amountCents),
    ' '.repeat(16),
  ]);
}

/** Every record is exactly 120 characters and ends with CR LF, the last one included. */
export function writeCfonb120(statement: Cfonb120Statement): string {
  const lines: string[] = [];
  for (const account of statement.accounts) {
    lines.push(balanceRecord('01', account, account.openingBalance));
    for (const movement of account.movements) {
      const head = [
        account.bankCode,
        code(movement.bankOperationCode, 4, 'code opération interne'),
        account.branchCode,
        accountPart(account),
        code(movement.operationCode, 2, 'code opération interbancaire'),
        writeDate(movement.accountingDate, FIELD_NAMES.date),
      ];
      lines.push(
        record([
          '04',
          ...head,
          code(movement.rejectionCode, 2, 'code motif de rejet'),
          movement.valueDate === null ? '      ' : writeDate(movement.valueDate, FIELD_NAMES.valueDate),
          text(movement.label, 31),
          '  ',
          code(movement.entryNumber, 7, 'numéro d’écriture'),
          code(movement.exemptionIndicator, 1, 'indice d’exonération'),
          code(movement.unavailabilityIndicator, 1, 'indice d’indisponibilité'),
          writeAmount(movement.amountCents),
          text(movement.reference, 16),
        ]),
      );
      for (const complement of movement.complements) {
        lines.push(record(['05', ...head, '     ', code(complement.qualifier, 3, 'code qualifiant'), text(complement.text, 70), '  ']));
      }
    }
    lines.push(balanceRecord('07', account, account.closingBalance));
  }
  return lines.map((line) => `${line}\r\n`).join('');
}
