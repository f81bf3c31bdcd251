import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { XMLValidator } from 'fast-xml-parser';
import { isoDate } from './calendar';
import { camt053Version, parseCamt053, writeCamt053 } from './camt053';
import { BankStatementError } from './errors';
import { frenchIbanFromRib } from './iban';
import { AccountStatement, BankStatement, StatementLine } from './statement';

const FIXTURE = readFileSync(join(__dirname, 'fixtures', 'dft-10071-2026-01.camt053.xml'), 'utf8');
const DFT_IBAN = 'FR7610071750000000100578394';

function minimal(entries: string, namespace = 'urn:iso:std:iso:20022:tech:xsd:camt.053.001.02'): string {
  return `<?xml version="1.0"?><Document xmlns="${namespace}"><BkToCstmrStmt><Stmt><Id>1</Id><Acct><Id><IBAN>${DFT_IBAN}</IBAN></Id><Ccy>EUR</Ccy></Acct>${entries}</Stmt></BkToCstmrStmt></Document>`;
}

const credit = (amount: string, extra = '') =>
  `<Ntry><Amt Ccy="EUR">${amount}</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts>BOOK</Sts><BookgDt><Dt>2026-01-05</Dt></BookgDt>${extra}</Ntry>`;

function parseError(xml: string): BankStatementError {
  try {
    parseCamt053(xml);
  } catch (error) {
    if (error instanceof BankStatementError) return error;
    throw error;
  }
  throw new Error('the document was accepted');
}

describe('camt.053', () => {
  describe('a Treasury DFT statement', () => {
    const statement = parseCamt053(FIXTURE);
    const [dft, other] = statement.accounts as [AccountStatement, AccountStatement];

    it('reads every Stmt, with its account identified by IBAN and RIB parts', () => {
      expect(statement.format).toBe('camt053');
      expect(statement.accounts).toHaveLength(2);
      expect(dft.account).toEqual({ iban: DFT_IBAN, bankCode: '10071', branchCode: '75000', accountNumber: '00001005783', currency: 'EUR' });
      expect(other.account.iban).toBe('FR7630004008230001012345669');
    });

    it('reads balances, falling back on the previous closing balance for the opening one', () => {
      expect(dft.openingBalance).toEqual({ date: '2026-01-02', amountCents: 125_000 });
      expect(dft.closingBalance).toEqual({ date: '2026-01-05', amountCents: 1_943_445 });
      expect(other.openingBalance).toEqual({ date: '2026-01-02', amountCents: -1_500 });
      expect(other.closingBalance).toBeNull();
    });

    it('keeps booked entries only, amounts in exact cents', () => {
      expect(dft.lines.map((line) => [line.direction, line.amountCents])).toEqual([
        ['credit', 431_250],
        ['credit', 187_640],
        ['credit', 1_203_417],
        ['debit', 3_862],
      ]);
    });

    it('reads references and remittance information', () => {
      expect(dft.lines[0]).toEqual<StatementLine>({
        direction: 'credit',
        amountCents: 431_250,
        bookingDate: '2026-01-05',
        valueDate: '2026-01-05',
        label: 'VIR SEPA REMISE CB PLBS',
        bankReference: 'RM2601020001',
        endToEndId: 'REM-2026-0001',
        additionalText: ['REMISE CARTES PLBS DIAPASON CONTRAT 7560680', 'DU 02/01/2026 – Régie & caisse'],
      });
      expect(dft.lines[1].endToEndId).toBeNull();
      expect(dft.lines[2]).toMatchObject({ bookingDate: '2026-01-05', label: 'REMISE CB CONTACT RM2601020003', bankReference: null });
      expect(other.lines[0]).toMatchObject({ valueDate: null, label: 'VIR SEPA REMISE CB CONTACT' });
    });
  });

  describe('versions and namespaces', () => {
    it.each(['02', '03', '04', '05', '06', '07', '08'])('reads camt.053.001.%s', (version) => {
      const xml = minimal(credit('12.50'), `urn:iso:std:iso:20022:tech:xsd:camt.053.001.${version}`);
      expect(camt053Version(xml)).toBe(version);
      expect(parseCamt053(xml).accounts[0].lines[0].amountCents).toBe(1_250);
    });

    it('reads a prefixed namespace and a status given as a code', () => {
      const xml = minimal(credit('12.50').replace('<Sts>BOOK</Sts>', '<Sts><Cd>BOOK</Cd></Sts>'), 'urn:iso:std:iso:20022:tech:xsd:camt.053.001.08')
        .replace(/<(\/?)(\w)/g, '<$1c:$2')
        .replace('<c:Document xmlns=', '<c:Document xmlns:c=');
      expect(xml).toContain('<c:BkToCstmrStmt>');
      expect(parseCamt053(Buffer.from(xml)).accounts[0].lines).toHaveLength(1);
    });

    it('refuses other versions and other messages', () => {
      expect(parseError(minimal(credit('1'), 'urn:iso:std:iso:20022:tech:xsd:camt.053.001.09')).message).toMatch(
        /version 001\.09 non prise en charge/,
      );
      expect(parseError(minimal(credit('1'), 'urn:iso:std:iso:20022:tech:xsd:camt.052.001.02')).message).toMatch(/n’est pas un Document camt\.053/);
    });
  });

  describe('strictness', () => {
    it.each([
      ['a float-looking amount with a third decimal', credit('12.505'), /ne tombe pas sur un centime/],
      ['a French decimal comma', credit('12,50'), /n’est pas un montant décimal positif/],
      ['a negative amount', credit('-12.50'), /n’est pas un montant décimal positif/],
      [
        'an entry without a booking date',
        credit('1').replace(/<BookgDt>.*<\/BookgDt>/, ''),
        /relevé 1, écriture 1, date de comptabilisation \(BookgDt\) : date \(Dt ou DtTm\) absente/,
      ],
      ['an impossible date', credit('1').replace('2026-01-05', '2026-02-30'), /« 2026-02-30 » n’est pas une date/],
      ['an unknown direction', credit('1').replace('CRDT', 'CRED'), /sens « CRED » inconnu/],
      ['another currency', credit('1').replace('Ccy="EUR"', 'Ccy="USD"'), /devise USD différente de celle du compte \(EUR\)/],
      ['a missing currency', credit('1').replace(' Ccy="EUR"', ''), /devise \(Amt@Ccy\)/],
    ])('refuses %s', (_name, entries, message) => {
      expect(parseError(minimal(entries)).message).toMatch(message);
    });

    it('accepts up to five decimals when they are zeros', () => {
      expect(parseCamt053(minimal(credit('12.50000'))).accounts[0].lines[0].amountCents).toBe(1_250);
      expect(parseCamt053(minimal(credit('7'))).accounts[0].lines[0].amountCents).toBe(700);
    });

    it('refuses a malformed document, naming the line', () => {
      const error = parseError(minimal(credit('1')).replace('</Stmt>', '</Stmt>\n</Oops>'));
      expect(error.message).toMatch(/XML mal formé ligne 2/);
      expect(error.line).toBe(2);
    });

    it('refuses a DOCTYPE, which could expand entities', () => {
      expect(parseError(`<!DOCTYPE x [<!ENTITY a "aaaa">]>${minimal(credit('1'))}`).message).toMatch(/DOCTYPE/);
    });

    it('refuses an invalid account IBAN and a document without statements', () => {
      expect(parseError(minimal(credit('1')).replace(DFT_IBAN, 'FR7610071750000000100578395')).message).toMatch(
        /relevé 1, compte \(Acct\/Id\/IBAN\) : La clé de contrôle/,
      );
      expect(parseError('<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"><BkToCstmrStmt/></Document>').message).toMatch(
        /aucun relevé/,
      );
    });

    it('reads an account identified otherwise than by IBAN', () => {
      const xml = minimal('').replace(`<IBAN>${DFT_IBAN}</IBAN>`, '<Othr><Id>C-42</Id></Othr>');
      expect(parseCamt053(xml).accounts[0].account).toEqual({ iban: null, bankCode: null, branchCode: null, accountNumber: 'C-42', currency: 'EUR' });
    });
  });

  describe('writing', () => {
    it('writes well-formed XML that escapes text', () => {
      const xml = writeCamt053(parseCamt053(FIXTURE), { createdAt: '2026-01-05T21:30:00.000Z', messageId: 'M<1>' });
      expect(XMLValidator.validate(xml)).toBe(true);
      expect(xml).toContain('Régie &amp; caisse');
      expect(xml).toContain('<MsgId>M&lt;1&gt;</MsgId>');
      expect(camt053Version(xml)).toBe('02');
      expect(camt053Version(writeCamt053(parseCamt053(FIXTURE), { version: '08' }))).toBe('08');
    });
  });

  describe('round trip', () => {
    const digits = (length: number) => fc.string({ unit: fc.constantFrom(...'0123456789'), minLength: length, maxLength: length });
    const characters = fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789 -/.,:;?!()+&<>"\'éèàçôÉ€–«»#%*=_@');
    const text = (maxLength: number) =>
      fc
        .string({ unit: characters, minLength: 1, maxLength })
        .map((value) => value.trim())
        .filter((value) => value !== '' && value !== 'NOTPROVIDED');
    const date = fc
      .record({ year: fc.integer({ min: 1990, max: 2099 }), month: fc.integer({ min: 1, max: 12 }), day: fc.integer({ min: 1, max: 28 }) })
      .map(({ year, month, day }) => isoDate(year, month, day));
    const cents = fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 999_999_999_999 }), fc.integer({ min: 0, max: 99 }));
    const account = fc.oneof(
      fc
        .record({
          bank: digits(5),
          branch: digits(5),
          number: fc.string({ unit: fc.constantFrom(...'0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ'), minLength: 11, maxLength: 11 }),
        })
        .map(({ bank, branch, number }) => ({
          iban: frenchIbanFromRib(bank, branch, number),
          bankCode: bank,
          branchCode: branch,
          accountNumber: number,
          currency: 'EUR',
        })),
      text(34).map((number) => ({ iban: null, bankCode: null, branchCode: null, accountNumber: number, currency: 'EUR' })),
    );
    const balance = fc.option(
      fc.record({ date, amountCents: fc.integer({ min: -999_999_999_999, max: 999_999_999_999 }).map((value) => (value === 0 ? 0 : value)) }),
      { nil: null },
    );
    const line: fc.Arbitrary<StatementLine> = fc.record({
      direction: fc.constantFrom('credit' as const, 'debit' as const),
      amountCents: cents,
      bookingDate: date,
      valueDate: fc.option(date, { nil: null }),
      label: text(140),
      bankReference: fc.option(text(35), { nil: null }),
      endToEndId: fc.option(text(35), { nil: null }),
      additionalText: fc.array(text(140), { maxLength: 3 }),
    });
    const statement: fc.Arbitrary<BankStatement> = fc.record({
      format: fc.constant('camt053' as const),
      accounts: fc.array(fc.record({ account, openingBalance: balance, closingBalance: balance, lines: fc.array(line, { maxLength: 5 }) }), {
        minLength: 1,
        maxLength: 3,
      }),
    });

    it('parses what it writes, in both written versions', () => {
      fc.assert(
        fc.property(statement, fc.constantFrom('02' as const, '08' as const), (original, version) => {
          expect(parseCamt053(writeCamt053(original, { version, createdAt: '2026-01-05T21:30:00.000Z' }))).toEqual(original);
        }),
        { numRuns: 300 },
      );
    });
  });
});
