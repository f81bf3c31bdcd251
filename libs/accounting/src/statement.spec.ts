import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseCfonb120 } from './cfonb120';
import { detectStatementFormat, parseBankStatement } from './parse-bank-statement';
import { fromCfonb, signedAmountCents } from './statement';

const CFONB = readFileSync(join(__dirname, 'fixtures', 'dft-10071-2026-01.cfonb120.txt'));
const CAMT = readFileSync(join(__dirname, 'fixtures', 'dft-10071-2026-01.camt053.xml'));

describe('bank statements, whatever the format', () => {
  it('normalises a CFONB statement, deriving the IBAN and the end-to-end reference', () => {
    const statement = fromCfonb(parseCfonb120(CFONB));
    expect(statement.format).toBe('cfonb120');
    expect(statement.accounts).toHaveLength(3);
    const [dft] = statement.accounts;
    expect(dft.account).toEqual({
      iban: 'FR7610071750000000100578394',
      bankCode: '10071',
      branchCode: '75000',
      accountNumber: '00001005783',
      currency: 'EUR',
    });
    expect(dft.lines[0]).toEqual({
      direction: 'credit',
      amountCents: 431_250,
      bookingDate: '2026-01-05',
      valueDate: '2026-01-05',
      label: 'VIR SEPA REMISE CB PLBS',
      bankReference: 'RM2601020001',
      endToEndId: 'REM-2026-0001',
      additionalText: ['REMISE CARTES PLBS DIAPASON CONTRAT 7560680 DU 02/01/2026', 'REM-2026-0001                      CBFF'],
    });
    expect(dft.lines[3]).toMatchObject({ direction: 'debit', amountCents: 3_862, bankReference: null, endToEndId: null });
  });

  it('tells the same story from the CFONB file and the camt.053 file of the same day', () => {
    const summary = (content: Buffer) => {
      const parsed = parseBankStatement(content);
      if (!parsed.ok) throw new Error(parsed.message);
      const [dft] = parsed.statement.accounts;
      return {
        iban: dft.account.iban,
        opening: dft.openingBalance,
        closing: dft.closingBalance,
        lines: dft.lines.map((line) => [line.direction, line.amountCents, line.bookingDate]),
      };
    };
    expect(summary(CAMT)).toEqual(summary(CFONB));
  });

  it('signs amounts by direction', () => {
    expect(signedAmountCents({ direction: 'credit', amountCents: 1_250 })).toBe(1_250);
    expect(signedAmountCents({ direction: 'debit', amountCents: 1_250 })).toBe(-1_250);
    expect(Object.is(signedAmountCents({ direction: 'debit', amountCents: 0 }), 0)).toBe(true);
  });

  it.each([
    ['a CFONB file', CFONB, 'cfonb120'],
    ['a CFONB string with LF', CFONB.toString('latin1').replace(/\r\n/g, '\n'), 'cfonb120'],
    ['a camt.053 file', CAMT, 'camt053'],
    ['a camt.053 with a BOM and leading blank lines', `\uFEFF\n\n${CAMT.toString('utf8')}`, 'camt053'],
    ['another ISO 20022 message', '<Document xmlns="urn:iso:std:iso:20022:tech:xsd:pain.001.001.03"/>', null],
    ['some XML', '<html><body/></html>', null],
    ['a CSV export', 'date;libellé;montant\n05/01/2026;VIR;12,50\n', null],
    ['an empty file', '', null],
  ])('detects %s', (_name, content, format) => {
    expect(detectStatementFormat(content)).toBe(format);
  });

  it('reports a French reason instead of throwing', () => {
    expect(parseBankStatement('bonjour')).toEqual({
      ok: false,
      message: expect.stringContaining('Format de relevé non reconnu'),
      line: null,
      field: null,
    });
    const broken = CFONB.toString('latin1').replace('0000000043125{', '0000000043125X');
    expect(parseBankStatement(broken)).toEqual({
      ok: false,
      message: expect.stringMatching(/^Relevé CFONB 120, ligne 2, montant : /),
      line: 2,
      field: 'montant',
    });
  });

  it('passes CFONB options through', () => {
    const unbalanced = CFONB.toString('latin1').replace('0000000043125{', '0000000043126{');
    expect(parseBankStatement(unbalanced).ok).toBe(false);
    expect(parseBankStatement(unbalanced, { cfonb120: { checkBalances: false } }).ok).toBe(true);
  });
});
