import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { isoDate } from './calendar';
import {
  CFONB120_TEXT_CHARACTERS,
  Cfonb120AccountStatement,
  Cfonb120Movement,
  Cfonb120Statement,
  parseCfonb120,
  sanitiseCfonbText,
  writeCfonb120,
} from './cfonb120';
import { BankStatementError } from './errors';

const FIXTURE = readFileSync(join(__dirname, 'fixtures', 'dft-10071-2026-01.cfonb120.txt'), 'latin1');
const fixtureLines = () => FIXTURE.split('\r\n').filter((line) => line !== '');

function parseError(content: string): BankStatementError {
  try {
    parseCfonb120(content);
  } catch (error) {
    if (error instanceof BankStatementError) return error;
    throw error;
  }
  throw new Error('the statement was accepted');
}

function withLine(index: number, change: (line: string) => string): string {
  const lines = fixtureLines();
  lines[index] = change(lines[index]);
  return lines.join('\r\n');
}

const replaceAt = (line: string, position: number, value: string) =>
  `${line.slice(0, position - 1)}${value}${line.slice(position - 1 + value.length)}`;

describe('CFONB 120', () => {
  describe('a Treasury DFT statement', () => {
    const statement = parseCfonb120(FIXTURE);

    it('reads every 01…07 block, in file order', () => {
      expect(statement.accounts.map((account) => [account.bankCode, account.branchCode, account.accountNumber, account.openingBalance.date])).toEqual(
        [
          ['10071', '75000', '00001005783', '2026-01-02'],
          ['10071', '75000', '00001005783', '2026-01-05'],
          ['30004', '00823', '00010123456', '2026-01-02'],
        ],
      );
    });

    it('reads the balances and the signed amounts in cents', () => {
      const [first, second, other] = statement.accounts as [Cfonb120AccountStatement, Cfonb120AccountStatement, Cfonb120AccountStatement];
      expect(first.currency).toBe('EUR');
      expect(first.openingBalance).toEqual({ date: '2026-01-02', amountCents: 125_000 });
      expect(first.movements.map((movement) => movement.amountCents)).toEqual([431_250, 187_640, 1_203_417, -3_862]);
      expect(first.closingBalance).toEqual({ date: '2026-01-05', amountCents: 1_943_445 });
      expect(second.closingBalance.amountCents).toBe(2_195_345);
      expect(other.openingBalance.amountCents).toBe(-1_500);
      expect(other.closingBalance.amountCents).toBe(97_265);
    });

    it('reads a card remittance credit with its complements', () => {
      expect(statement.accounts[0].movements[0]).toEqual<Cfonb120Movement>({
        bankOperationCode: '0153',
        operationCode: '05',
        accountingDate: '2026-01-05',
        valueDate: '2026-01-05',
        rejectionCode: '',
        label: 'VIR SEPA REMISE CB PLBS',
        entryNumber: '0000101',
        exemptionIndicator: '',
        unavailabilityIndicator: '',
        amountCents: 431_250,
        reference: 'RM2601020001',
        complements: [
          { qualifier: 'LIB', text: 'REMISE CARTES PLBS DIAPASON CONTRAT 7560680 DU 02/01/2026' },
          { qualifier: 'RCN', text: 'REM-2026-0001                      CBFF' },
        ],
      });
    });

    it('reads the commission debit and its complement', () => {
      const commission = statement.accounts[0].movements[3];
      expect(commission).toMatchObject({ operationCode: '62', label: 'COMMISSIONS CARTES DECEMBRE', amountCents: -3_862, reference: '' });
      expect(commission.complements).toEqual([{ qualifier: 'LIB', text: 'COMMISSIONS ACQUEREUR CB DECEMBRE 2025' }]);
    });

    it('writes the same file back, byte for byte', () => {
      expect(writeCfonb120(statement)).toBe(FIXTURE);
    });
  });

  describe('leniency where real files vary', () => {
    const expected = parseCfonb120(FIXTURE);

    it.each([
      ['LF line ends', () => fixtureLines().join('\n')],
      ['lone CR line ends', () => fixtureLines().join('\r')],
      ['no final line end', () => fixtureLines().join('\r\n')],
      ['blank lines between records', () => fixtureLines().join('\r\n\r\n  \r\n')],
      [
        'trailing spaces stripped by an editor',
        () =>
          fixtureLines()
            .map((line) => line.trimEnd())
            .join('\n'),
      ],
      [
        'spaces beyond position 120',
        () =>
          fixtureLines()
            .map((line) => `${line}    `)
            .join('\r\n'),
      ],
      ['one unbroken run of records', () => fixtureLines().join('')],
      ['a UTF-8 byte order mark', () => `\uFEFF${FIXTURE}`],
    ])('accepts %s', (_name, content) => {
      expect(parseCfonb120(content())).toEqual(expected);
    });

    it('reads Latin-1 bytes when the file is not UTF-8', () => {
      const latin1 = Buffer.from(
        withLine(1, (line) => replaceAt(line, 49, 'VIR RÉGIE'.padEnd(31))),
        'latin1',
      );
      expect(parseCfonb120(latin1).accounts[0].movements[0].label).toBe('VIR RÉGIE');
    });

    it('reads UTF-8 bytes', () => {
      expect(parseCfonb120(Buffer.from(FIXTURE, 'utf8'))).toEqual(expected);
    });

    it('treats a blank or zero value date as absent', () => {
      const blank = parseCfonb120(withLine(1, (line) => replaceAt(line, 43, '      ')));
      const zeros = parseCfonb120(withLine(1, (line) => replaceAt(line, 43, '000000')));
      expect(blank.accounts[0].movements[0].valueDate).toBeNull();
      expect(zeros.accounts[0].movements[0].valueDate).toBeNull();
    });

    it('pivots two-digit years at 80', () => {
      const at = (date: string) => parseCfonb120(withLine(1, (line) => replaceAt(line, 43, date))).accounts[0].movements[0].valueDate;
      expect(at('010180')).toBe('1980-01-01');
      expect(at('311299')).toBe('1999-12-31');
      expect(at('010100')).toBe('2000-01-01');
      expect(at('311279')).toBe('2079-12-31');
    });

    it('scales amounts by the number of decimals of the record', () => {
      const [opening, movement, , , , , , , closing] = fixtureLines();
      const lines = [
        replaceAt(replaceAt(opening, 20, '0'), 91, '0000000000012{'),
        replaceAt(replaceAt(movement, 20, '3'), 91, '0000000001250{'),
        replaceAt(closing, 91, '0000000001325{'),
      ];
      const [account] = parseCfonb120(lines.join('\n')).accounts;
      expect(account.openingBalance.amountCents).toBe(12_000);
      expect(account.movements[0].amountCents).toBe(1_250);
      expect(account.closingBalance.amountCents).toBe(13_250);
    });

    it('refuses an amount with more decimals than a cent', () => {
      const lines = fixtureLines();
      lines[1] = replaceAt(replaceAt(lines[1], 20, '3'), 91, '0000000000125A');
      expect(() => parseCfonb120(lines.join('\n'))).toThrow(/ne tombe pas sur un centime/);
    });

    it('can leave unbalanced blocks to the caller', () => {
      const content = withLine(1, (line) => replaceAt(line, 91, '0000000043126{'));
      expect(() => parseCfonb120(content)).toThrow(BankStatementError);
      expect(parseCfonb120(content, { checkBalances: false }).accounts[0].movements[0].amountCents).toBe(431_260);
    });
  });

  describe('strictness where money is concerned', () => {
    it.each([
      ['an unknown sign character', () => withLine(1, (line) => replaceAt(line, 104, 'X')), 2, 'montant', /dernier caractère de montant/],
      ['a letter among the digits', () => withLine(1, (line) => replaceAt(line, 95, 'O')), 2, 'montant', /13 premiers caractères/],
      ['an impossible date', () => withLine(1, (line) => replaceAt(line, 35, '310226')), 2, 'date', /310226.*calendrier/],
      ['a date that is not DDMMYY', () => withLine(0, (line) => replaceAt(line, 35, '2026-1')), 1, 'date', /JJMMAA/],
      ['a bad value date', () => withLine(1, (line) => replaceAt(line, 43, '1301AB')), 2, 'date de valeur', /JJMMAA/],
      ['a record longer than 120 characters', () => withLine(2, (line) => `${line}X`), 3, 'longueur', /121 caractères au lieu de 120/],
      ['a record cut inside the amount', () => withLine(1, (line) => line.slice(0, 100)), 2, 'longueur', /tronqué/],
      ['an unknown record code', () => withLine(1, (line) => replaceAt(line, 1, '03')), 2, 'code enregistrement', /« 03 » inconnu/],
      ['a control character', () => withLine(1, (line) => replaceAt(line, 50, '\t')), 2, 'caractères', /caractère de contrôle/],
      ['a complement without a movement', () => withLine(1, (line) => replaceAt(line, 1, '05')), 2, 'enchaînement', /sans opération/],
      [
        'a movement of another account',
        () => withLine(4, (line) => replaceAt(line, 22, '00001005784')),
        5,
        'numéro de compte',
        /n’est pas celui du relevé ouvert ligne 1/,
      ],
      [
        'a balance that does not add up',
        () => withLine(8, (line) => replaceAt(line, 91, '0000000194345E')),
        9,
        'solde',
        /19434,55 ne vaut pas l’ancien solde 1250,00 plus les opérations \(19434,45\)/,
      ],
      [
        'a new block before the old one is closed',
        () => withLine(8, (line) => replaceAt(line, 1, '01')),
        9,
        'enchaînement',
        /ligne 1 n’a pas de nouveau solde/,
      ],
      ['a movement before any opening balance', () => fixtureLines().slice(1).join('\n'), 1, 'enchaînement', /hors d’un relevé/],
      ['a missing closing balance', () => fixtureLines().slice(0, 8).join('\n'), 8, 'enchaînement', /fichier incomplet/],
      ['a non-numeric bank code', () => withLine(0, (line) => replaceAt(line, 3, '1007A')), 1, 'code banque', /5 chiffres/],
    ])('refuses %s, naming the line and the field', (_name, content, line, field, message) => {
      const error = parseError(content());
      expect(error.line).toBe(line);
      expect(error.field).toBe(field);
      expect(error.code).toBe('invalid_bank_statement');
      expect(error.message).toMatch(message);
      expect(error.message).toContain(`ligne ${line}, ${field} :`);
    });

    it('refuses an empty file', () => {
      expect(() => parseCfonb120('\r\n\r\n')).toThrow(/vide/);
    });
  });

  describe('writing', () => {
    it('sanitises text to the upper-case SEPA character set', () => {
      expect(sanitiseCfonbText('Régie de l’hôpital — Œuvre & cœur_1')).toBe("REGIE DE L'HOPITAL   OEUVRE   COEUR 1");
      expect([...sanitiseCfonbText('ÀÂÄÇÉÈÊËÎÏÔÖÙÛÜŸàâäçéèêëîïôöùûüÿ')].every((char) => CFONB120_TEXT_CHARACTERS.includes(char))).toBe(true);
    });

    it('truncates labels to their field', () => {
      const [account] = parseCfonb120(FIXTURE).accounts;
      const long = {
        ...account,
        movements: [{ ...account.movements[0], label: 'x'.repeat(40), complements: [] }],
        closingBalance: { date: '2026-01-05', amountCents: 556_250 },
      };
      const written = writeCfonb120({ accounts: [long] });
      expect(written.split('\r\n').every((line) => line === '' || line.length === 120)).toBe(true);
      expect(parseCfonb120(written).accounts[0].movements[0].label).toBe('X'.repeat(31));
    });

    it('refuses what cannot be written', () => {
      const [account] = parseCfonb120(FIXTURE).accounts;
      const write = (change: Partial<Cfonb120AccountStatement>) => () => writeCfonb120({ accounts: [{ ...account, ...change }] });
      expect(write({ openingBalance: { date: '2080-01-01', amountCents: 0 } })).toThrow(/l’année 2080 ne s’écrit pas/);
      expect(write({ openingBalance: { date: '2026-02-30', amountCents: 0 } })).toThrow(/AAAA-MM-JJ/);
      expect(write({ openingBalance: { date: '2026-01-02', amountCents: 0.5 } })).toThrow(/centimes/);
      expect(write({ openingBalance: { date: '2026-01-02', amountCents: 100_000_000_000_000 } })).toThrow(/14 chiffres/);
      expect(write({ bankCode: '1007' })).toThrow(/code banque/);
      expect(write({ accountNumber: '0000100578' })).toThrow(/numéro de compte/);
      expect(write({ movements: [{ ...account.movements[0], operationCode: '123' }] })).toThrow(/code opération interbancaire/);
    });
  });

  describe('round trip', () => {
    const digits = (length: number) => fc.string({ unit: fc.constantFrom(...'0123456789'), minLength: length, maxLength: length });
    const upperAlphanumeric = fc.constantFrom(...'0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ');
    const codeOf = (maxLength: number) => fc.string({ unit: upperAlphanumeric, maxLength });
    const textOf = (maxLength: number) =>
      fc.string({ unit: fc.constantFrom(...CFONB120_TEXT_CHARACTERS), maxLength }).map((value) => value.trimEnd());
    const date = fc
      .record({ year: fc.integer({ min: 1980, max: 2079 }), month: fc.integer({ min: 1, max: 12 }), day: fc.integer({ min: 1, max: 28 }) })
      .map(({ year, month, day }) => isoDate(year, month, day));
    const cents = fc.oneof(fc.constant(0), fc.integer({ min: -99_999_999_999, max: 99_999_999_999 }), fc.integer({ min: -9, max: 9 }));
    const movement: fc.Arbitrary<Cfonb120Movement> = fc.record({
      bankOperationCode: codeOf(4),
      operationCode: codeOf(2),
      accountingDate: date,
      valueDate: fc.option(date, { nil: null }),
      rejectionCode: codeOf(2),
      label: textOf(31),
      entryNumber: codeOf(7),
      exemptionIndicator: codeOf(1),
      unavailabilityIndicator: codeOf(1),
      amountCents: cents,
      reference: textOf(16),
      complements: fc.array(fc.record({ qualifier: codeOf(3), text: textOf(70) }), { maxLength: 3 }),
    });
    const account: fc.Arbitrary<Cfonb120AccountStatement> = fc
      .record({
        bankCode: digits(5),
        branchCode: digits(5),
        accountNumber: fc.string({ unit: upperAlphanumeric, minLength: 11, maxLength: 11 }),
        currency: fc.constantFrom('EUR', 'XPF', 'CHF'),
        opening: fc.record({ date, amountCents: cents }),
        closingDate: date,
        movements: fc.array(movement, { maxLength: 6 }),
      })
      .map(({ opening, closingDate, movements, ...key }) => ({
        ...key,
        openingBalance: opening,
        movements,
        closingBalance: { date: closingDate, amountCents: movements.reduce((sum, item) => sum + item.amountCents, opening.amountCents) },
      }));
    const statement: fc.Arbitrary<Cfonb120Statement> = fc.record({ accounts: fc.array(account, { minLength: 1, maxLength: 4 }) });

    it('parses what it writes', () => {
      fc.assert(
        fc.property(statement, (original) => {
          const written = writeCfonb120(original);
          expect(written.endsWith('\r\n')).toBe(true);
          expect(
            written
              .slice(0, -2)
              .split('\r\n')
              .every((line) => line.length === 120),
          ).toBe(true);
          expect(parseCfonb120(written)).toEqual(original);
        }),
        { numRuns: 300 },
      );
    });
  });
});
