import { Cents } from '@diapason/domain';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { IsoDate, isIsoDate } from './calendar';
import { decodeStatementText } from './encoding';
import { BankStatementError } from './errors';
import { validateIban } from './iban';
import type { AccountStatement, BankStatement, EntryDirection, StatementAccount, StatementBalance, StatementLine } from './statement';

/**
 * ISO 20022 camt.053 BankToCustomerStatement, versions 001.02 to 001.08: the elements DIAPASON
 * reads did not move between them (only the entry status became a choice, `Sts/Cd`, in later ones).
 */
export const CAMT053_SUPPORTED_VERSIONS = ['02', '03', '04', '05', '06', '07', '08'] as const;
export type Camt053Version = (typeof CAMT053_SUPPORTED_VERSIONS)[number];

const NAMESPACE_PREFIX = 'urn:iso:std:iso:20022:tech:xsd:camt.053.001.';
const ROOT = /<(?:([A-Za-z_][\w.-]*):)?Document\b([^>]*)>/;

/** The two-digit version of a camt.053 document (`02`, `08`…), or null when it is no camt.053 at all. */
export function camt053Version(xml: string): string | null {
  const root = ROOT.exec(xml);
  if (!root) return null;
  const [, prefix, attributes = ''] = root;
  const declaration = prefix ? `xmlns:${prefix}` : 'xmlns';
  for (const match of attributes.matchAll(/([\w:.-]+)\s*=\s*(?:"([^"]*)"|'([^']*)')/g)) {
    const value = match[2] ?? match[3] ?? '';
    if (match[1] === declaration && value.startsWith(NAMESPACE_PREFIX)) {
      const version = value.slice(NAMESPACE_PREFIX.length);
      return /^\d{2}$/.test(version) ? version : null;
    }
  }
  return null;
}

const ALWAYS_LISTS = new Set(['Stmt', 'Bal', 'Ntry', 'NtryDtls', 'TxDtls', 'Ustrd']);

/**
 * Entities are left alone by the parser and decoded here in one pass, so that `&amp;#233;` stays
 * the text `&#233;`; with no DOCTYPE allowed, nothing can expand.
 */
const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  removeNSPrefix: true,
  parseTagValue: false,
  parseAttributeValue: false,
  processEntities: false,
  trimValues: true,
  isArray: (tagName) => ALWAYS_LISTS.has(tagName),
});

const XML_ENTITIES: Readonly<Record<string, string>> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function decodeEntities(value: string): string {
  return value.replace(/&(#\d+|#x[0-9a-fA-F]+|amp|lt|gt|quot|apos);/g, (_entity, name: string) => {
    if (name.startsWith('#x')) return String.fromCodePoint(Number.parseInt(name.slice(2), 16));
    if (name.startsWith('#')) return String.fromCodePoint(Number.parseInt(name.slice(1), 10));
    return XML_ENTITIES[name];
  });
}

type Node = Record<string, unknown>;

function isNode(value: unknown): value is Node {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function child(node: unknown, ...path: string[]): unknown {
  let current = node;
  for (const name of path) {
    if (Array.isArray(current)) current = current[0];
    if (!isNode(current)) return undefined;
    current = current[name];
  }
  return current;
}

function list(value: unknown): unknown[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}

function textOf(value: unknown): string | null {
  if (Array.isArray(value)) return textOf(value[0]);
  if (typeof value === 'string') return decodeEntities(value);
  if (isNode(value) && typeof value['#text'] === 'string') return decodeEntities(value['#text']);
  if (isNode(value)) return '';
  return null;
}

class Place {
  constructor(private readonly where: string) {}

  fail(field: string, message: string): never {
    throw new BankStatementError(`camt.053, ${this.where}, ${field} : ${message}`, null, field);
  }

  required(node: unknown, field: string, ...path: string[]): string {
    const value = textOf(child(node, ...path));
    if (value === null || value === '') this.fail(field, `élément ${path.join('/')} absent.`);
    return value;
  }

  optional(node: unknown, ...path: string[]): string | null {
    const value = textOf(child(node, ...path));
    return value === null || value === '' ? null : value;
  }

  /** Decimal text to cents without a float: `1234.5` → 123450; a third non-zero decimal is refused. */
  cents(node: unknown, field: string): Cents {
    const raw = this.required(node, field, 'Amt');
    const match = /^(\d{1,15})(?:\.(\d{1,5}))?$/.exec(raw);
    if (!match) this.fail(field, `« ${String(raw)} » n’est pas un montant décimal positif.`);
    const fraction = (match[2] ?? '').padEnd(2, '0');
    if (/[1-9]/.test(fraction.slice(2))) this.fail(field, `« ${String(raw)} » ne tombe pas sur un centime.`);
    const cents = Number(match[1]) * 100 + Number(fraction.slice(0, 2));
    if (!Number.isSafeInteger(cents)) this.fail(field, `« ${String(raw)} » dépasse la capacité de calcul en centimes.`);
    return cents;
  }

  currency(node: unknown, field: string): string {
    const amount = child(node, 'Amt');
    const currency = isNode(amount) && typeof amount['@_Ccy'] === 'string' ? amount['@_Ccy'] : '';
    if (!/^[A-Z]{3}$/.test(currency)) this.fail(field, `devise (Amt@Ccy) « ${currency} » absente ou invalide.`);
    return currency;
  }

  direction(node: unknown, field: string): EntryDirection {
    const indicator = this.required(node, field, 'CdtDbtInd');
    if (indicator === 'CRDT') return 'credit';
    if (indicator === 'DBIT') return 'debit';
    return this.fail(field, `sens « ${indicator} » inconnu (attendu CRDT ou DBIT).`);
  }

  /** `Dt` or `DtTm`; of a date-time, the calendar date as written by the bank. */
  date(node: unknown, field: string, required: true): IsoDate;
  date(node: unknown, field: string, required: false): IsoDate | null;
  date(node: unknown, field: string, required: boolean): IsoDate | null {
    const raw = this.optional(node, 'Dt') ?? this.optional(node, 'DtTm')?.slice(0, 10) ?? null;
    if (raw === null) return required ? this.fail(field, 'date (Dt ou DtTm) absente.') : null;
    if (!isIsoDate(raw)) this.fail(field, `« ${String(raw)} » n’est pas une date AAAA-MM-JJ.`);
    return raw;
  }
}

function parseAccount(statement: unknown, place: Place): StatementAccount {
  const account = child(statement, 'Acct');
  const ibanText = place.optional(account, 'Id', 'IBAN');
  const other = place.optional(account, 'Id', 'Othr', 'Id');
  const currency = place.optional(account, 'Ccy') ?? 'EUR';
  if (ibanText !== null) {
    const validation = validateIban(ibanText);
    if (!validation.ok) place.fail('compte (Acct/Id/IBAN)', `${validation.message} (« ${ibanText} »)`);
    return {
      iban: validation.iban,
      bankCode: validation.bankCode ?? null,
      branchCode: validation.branchCode ?? null,
      accountNumber: validation.accountNumber ?? null,
      currency,
    };
  }
  if (other === null) place.fail('compte (Acct/Id)', 'ni IBAN ni autre identifiant de compte.');
  return { iban: null, bankCode: null, branchCode: null, accountNumber: other, currency };
}

function parseBalance(balance: unknown, place: Place): StatementBalance {
  const amountCents = place.cents(balance, 'solde');
  return {
    date: place.date(child(balance, 'Dt'), 'date du solde', true),
    amountCents: place.direction(balance, 'solde') === 'debit' && amountCents !== 0 ? -amountCents : amountCents,
  };
}

function balanceOf(statement: unknown, place: Place, codes: readonly string[]): StatementBalance | null {
  const balances = list(child(statement, 'Bal'));
  for (const code of codes) {
    const found = balances.find((balance) => textOf(child(balance, 'Tp', 'CdOrPrtry', 'Cd')) === code);
    if (found !== undefined) return parseBalance(found, place);
  }
  return null;
}

const NOT_PROVIDED = 'NOTPROVIDED';

function isBooked(entry: unknown): boolean {
  const status = textOf(child(entry, 'Sts', 'Cd')) || textOf(child(entry, 'Sts'));
  return status === null || status === '' || status === 'BOOK';
}

function parseEntry(entry: unknown, place: Place, accountCurrency: string): StatementLine {
  const currency = place.currency(entry, 'montant');
  if (currency !== accountCurrency) place.fail('montant', `devise ${currency} différente de celle du compte (${accountCurrency}).`);
  const transactions = list(child(entry, 'NtryDtls')).flatMap((details) => list(child(details, 'TxDtls')));
  const endToEndId =
    transactions.map((transaction) => place.optional(transaction, 'Refs', 'EndToEndId')).find((id) => id !== null && id !== NOT_PROVIDED) ?? null;
  const additionalText = transactions.flatMap((transaction) =>
    list(child(transaction, 'RmtInf', 'Ustrd'))
      .map(textOf)
      .filter((text): text is string => text !== null && text !== ''),
  );
  return {
    direction: place.direction(entry, 'sens'),
    amountCents: place.cents(entry, 'montant'),
    bookingDate: place.date(child(entry, 'BookgDt'), 'date de comptabilisation (BookgDt)', true),
    valueDate: place.date(child(entry, 'ValDt'), 'date de valeur (ValDt)', false),
    label: place.optional(entry, 'AddtlNtryInf') ?? additionalText.join(' '),
    bankReference: place.optional(entry, 'AcctSvcrRef'),
    endToEndId,
    additionalText,
  };
}

/**
 * Every `Stmt` of the document, in order. Only booked entries (`BOOK`, or no status) are kept:
 * pending ones are not on the account yet. The label is `AddtlNtryInf`, else the unstructured
 * remittance information; an `EndToEndId` of `NOTPROVIDED` is no identifier.
 */
export function parseCamt053(content: string | Uint8Array): BankStatement {
  const xml = decodeStatementText(content);
  if (/<!DOCTYPE/i.test(xml)) throw new BankStatementError('camt.053 : les déclarations DOCTYPE ne sont pas acceptées.', null, 'document');
  const version = camt053Version(xml);
  if (version === null)
    throw new BankStatementError('camt.053 : l’élément racine n’est pas un Document camt.053 (espace de noms ISO 20022 attendu).', null, 'document');
  if (!(CAMT053_SUPPORTED_VERSIONS as readonly string[]).includes(version)) {
    throw new BankStatementError(`camt.053 : version 001.${version} non prise en charge (versions 001.02 à 001.08).`, null, 'document');
  }
  const validation = XMLValidator.validate(xml);
  if (validation !== true) {
    throw new BankStatementError(
      `camt.053 : XML mal formé ligne ${validation.err.line}, colonne ${validation.err.col} (${validation.err.msg}).`,
      validation.err.line,
      'document',
    );
  }
  const document = parser.parse(xml) as unknown;
  const statements = list(child(document, 'Document', 'BkToCstmrStmt', 'Stmt'));
  if (statements.length === 0) throw new BankStatementError('camt.053 : aucun relevé (Document/BkToCstmrStmt/Stmt).', null, 'Stmt');
  const accounts: AccountStatement[] = statements.map((statement, statementIndex) => {
    const place = new Place(`relevé ${statementIndex + 1}`);
    const account = parseAccount(statement, place);
    return {
      account,
      openingBalance: balanceOf(statement, place, ['OPBD', 'PRCD']),
      closingBalance: balanceOf(statement, place, ['CLBD']),
      lines: list(child(statement, 'Ntry'))
        .map((entry, entryIndex) => ({ entry, place: new Place(`relevé ${statementIndex + 1}, écriture ${entryIndex + 1}`) }))
        .filter(({ entry }) => isBooked(entry))
        .map(({ entry, place: entryPlace }) => parseEntry(entry, entryPlace, account.currency)),
    };
  });
  return { format: 'camt053', accounts };
}

function escapeXml(value: string): string {
  return value.replace(/[&<>"']/g, (char) => `&${Object.entries(XML_ENTITIES).find(([, decoded]) => decoded === char)![0]};`);
}

function writeDecimal(cents: Cents): string {
  if (!Number.isSafeInteger(cents) || cents < 0)
    throw new BankStatementError(`camt.053 impossible à écrire : ${cents} n’est pas un nombre entier positif de centimes.`, null, 'montant');
  return `${Math.trunc(cents / 100)}.${String(cents % 100).padStart(2, '0')}`;
}

function element(name: string, content: string | null | undefined): string {
  return content === null || content === undefined ? '' : `<${name}>${content}</${name}>`;
}

export interface Camt053WriteOptions {
  readonly version?: '02' | '08';
  readonly messageId?: string;
  /** ISO 8601 date-time of the message; fixed by callers that need reproducible files. */
  readonly createdAt?: string;
}

/**
 * A camt.053 document for simulators and tests: one `Stmt` per account statement. The bank
 * transaction code is the generic SEPA credit transfer received / issued, a label goes to
 * `AddtlNtryInf`, additional text to `RmtInf/Ustrd`.
 */
export function writeCamt053(statement: BankStatement, options: Camt053WriteOptions = {}): string {
  const version = options.version ?? '02';
  const createdAt = options.createdAt ?? new Date().toISOString();
  const messageId = options.messageId ?? `DIAPASON-${createdAt.replace(/\D/g, '').slice(0, 14)}`;
  const balance = (code: string, value: StatementBalance | null, currency: string) =>
    value === null
      ? ''
      : `<Bal><Tp><CdOrPrtry><Cd>${code}</Cd></CdOrPrtry></Tp><Amt Ccy="${currency}">${writeDecimal(Math.abs(value.amountCents))}</Amt>` +
        `<CdtDbtInd>${value.amountCents < 0 ? 'DBIT' : 'CRDT'}</CdtDbtInd><Dt><Dt>${value.date}</Dt></Dt></Bal>`;
  const entry = (line: StatementLine, currency: string) => {
    const details =
      line.endToEndId === null && line.additionalText.length === 0
        ? ''
        : `<NtryDtls><TxDtls>${line.endToEndId === null ? '' : `<Refs><EndToEndId>${escapeXml(line.endToEndId)}</EndToEndId></Refs>`}` +
          `${line.additionalText.length === 0 ? '' : `<RmtInf>${line.additionalText.map((text) => element('Ustrd', escapeXml(text))).join('')}</RmtInf>`}</TxDtls></NtryDtls>`;
    return (
      `<Ntry><Amt Ccy="${currency}">${writeDecimal(line.amountCents)}</Amt><CdtDbtInd>${line.direction === 'debit' ? 'DBIT' : 'CRDT'}</CdtDbtInd>` +
      `<Sts>${version === '02' ? 'BOOK' : '<Cd>BOOK</Cd>'}</Sts><BookgDt><Dt>${line.bookingDate}</Dt></BookgDt>` +
      `${line.valueDate === null ? '' : `<ValDt><Dt>${line.valueDate}</Dt></ValDt>`}` +
      element('AcctSvcrRef', line.bankReference === null ? null : escapeXml(line.bankReference)) +
      `<BkTxCd><Domn><Cd>PMNT</Cd><Fmly><Cd>${line.direction === 'debit' ? 'ICDT' : 'RCDT'}</Cd><SubFmlyCd>ESCT</SubFmlyCd></Fmly></Domn></BkTxCd>` +
      details +
      element('AddtlNtryInf', line.label === '' ? null : escapeXml(line.label)) +
      '</Ntry>'
    );
  };
  const statements = statement.accounts.map((accountStatement, index) => {
    const { account } = accountStatement;
    const identification = account.iban !== null ? `<IBAN>${account.iban}</IBAN>` : `<Othr><Id>${escapeXml(account.accountNumber ?? '')}</Id></Othr>`;
    return (
      `<Stmt><Id>${escapeXml(messageId)}-${index + 1}</Id><CreDtTm>${createdAt}</CreDtTm>` +
      `<Acct><Id>${identification}</Id><Ccy>${account.currency}</Ccy></Acct>` +
      balance('OPBD', accountStatement.openingBalance, account.currency) +
      balance('CLBD', accountStatement.closingBalance, account.currency) +
      accountStatement.lines.map((line) => entry(line, account.currency)).join('') +
      '</Stmt>'
    );
  });
  return (
    '<?xml version="1.0" encoding="UTF-8"?>\n' +
    `<Document xmlns="${NAMESPACE_PREFIX}${version}" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">` +
    `<BkToCstmrStmt><GrpHdr><MsgId>${escapeXml(messageId)}</MsgId><CreDtTm>${createdAt}</CreDtTm></GrpHdr>` +
    statements.join('') +
    '</BkToCstmrStmt></Document>\n'
  );
}
