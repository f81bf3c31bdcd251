import { parse } from 'csv-parse/sync';
import ExcelJS from 'exceljs';
import { ExportColumn, XLSX_DATE_FORMAT, XLSX_EUROS_FORMAT, formatCentsFrench, toFrenchCsv, toXlsx } from './exports';

interface JournalRow {
  creditDate: string | Date | null;
  label: string;
  amountCents: number | null;
  debits: number;
}

const COLUMNS: ExportColumn<JournalRow>[] = [
  { header: 'Date de crédit', key: 'creditDate', type: 'date' },
  { header: 'Libellé', key: 'label', type: 'text' },
  { header: 'Montant (€)', key: 'amountCents', type: 'cents' },
  { header: 'Débits', key: 'debits', type: 'integer' },
];

const ROWS: JournalRow[] = [
  { creditDate: '2026-01-05', label: 'Remise CB PLBS', amountCents: 1_250, debits: 3 },
  { creditDate: '2025-12-31', label: 'Régie « Urgences »; caisse "2"\nsuite', amountCents: -5, debits: 1 },
  { creditDate: new Date('2025-12-31T23:30:00Z'), label: '=HYPERLINK("http://x")', amountCents: 123_456_789, debits: 0 },
  { creditDate: null, label: '', amountCents: null, debits: 0 },
];

describe('exports', () => {
  it('formats cents with a decimal comma and no thousands separator', () => {
    expect(formatCentsFrench(1_250)).toBe('12,50');
    expect(formatCentsFrench(-5)).toBe('-0,05');
    expect(formatCentsFrench(123_456_789)).toBe('1234567,89');
  });

  describe('French CSV', () => {
    const csv = toFrenchCsv(COLUMNS, ROWS);

    it('starts with a UTF-8 BOM and ends lines with CR LF', () => {
      expect([...csv.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
      expect(csv.toString('utf8').split('\r\n')[0]).toBe('\uFEFFDate de crédit;Libellé;Montant (€);Débits');
    });

    it('reads back with ; as separator, decimal commas, French dates and quoting', () => {
      const records: string[][] = parse(csv, { delimiter: ';', bom: true });
      expect(records).toEqual([
        ['Date de crédit', 'Libellé', 'Montant (€)', 'Débits'],
        ['05/01/2026', 'Remise CB PLBS', '12,50', '3'],
        ['31/12/2025', 'Régie « Urgences »; caisse "2"\nsuite', '-0,05', '1'],
        ['01/01/2026', '\'=HYPERLINK("http://x")', '1234567,89', '0'],
        ['', '', '', '0'],
      ]);
      expect(csv.toString('utf8')).toContain('"Régie « Urgences »; caisse ""2""\nsuite"');
    });

    it('refuses a float amount or a bad date', () => {
      expect(() => toFrenchCsv(COLUMNS, [{ ...ROWS[0], amountCents: 12.5 }])).toThrow(
        /colonne « Montant \(€\) » : 12.5 n’est pas un nombre entier de centimes/,
      );
      expect(() => toFrenchCsv(COLUMNS, [{ ...ROWS[0], creditDate: '05/01/2026' }])).toThrow(/n’est pas une date AAAA-MM-JJ/);
    });
  });

  describe('XLSX', () => {
    async function reopen(buffer: Buffer): Promise<ExcelJS.Worksheet> {
      const workbook = new ExcelJS.Workbook();
      await workbook.xlsx.load(buffer as unknown as ArrayBuffer);
      return workbook.worksheets[0];
    }

    it('writes typed cells: euros as numbers, dates as dates, counts as integers', async () => {
      const sheet = await reopen(await toXlsx('Journal 2026', COLUMNS, ROWS));
      expect(sheet.name).toBe('Journal 2026');
      expect(sheet.getRow(1).values).toEqual([undefined, 'Date de crédit', 'Libellé', 'Montant (€)', 'Débits']);
      const first = sheet.getRow(2);
      expect(first.getCell(1).type).toBe(ExcelJS.ValueType.Date);
      expect(first.getCell(1).value).toEqual(new Date(Date.UTC(2026, 0, 5)));
      expect(first.getCell(1).numFmt).toBe(XLSX_DATE_FORMAT);
      expect(first.getCell(2).value).toBe('Remise CB PLBS');
      expect(first.getCell(3).type).toBe(ExcelJS.ValueType.Number);
      expect(first.getCell(3).value).toBe(12.5);
      expect(first.getCell(3).numFmt).toBe(XLSX_EUROS_FORMAT);
      expect(first.getCell(4).value).toBe(3);
      expect(sheet.getRow(3).getCell(3).value).toBe(-0.05);
      expect(sheet.getRow(4).getCell(1).value).toEqual(new Date(Date.UTC(2026, 0, 1)));
      expect(sheet.getRow(4).getCell(2).value).toBe('=HYPERLINK("http://x")');
      expect(sheet.getRow(4).getCell(2).type).toBe(ExcelJS.ValueType.String);
      expect(sheet.getRow(4).getCell(3).value).toBe(1_234_567.89);
      expect(sheet.getRow(5).getCell(1).type).toBe(ExcelJS.ValueType.Null);
    });

    it('makes any name a valid sheet name', async () => {
      const sheet = await reopen(await toXlsx('Arrêté annuel 2025 [régie: CHU/Urgences] et suite', COLUMNS, []));
      expect(sheet.name).toBe('Arrêté annuel 2025 -régie- CHU-');
      expect(sheet.rowCount).toBe(1);
    });
  });
});
