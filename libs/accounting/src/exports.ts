import { Cents } from '@diapason/domain';
import { stringify } from 'csv-stringify/sync';
import ExcelJS from 'exceljs';
import { IsoDate, isIsoDate } from './calendar';

/**
 * Exports for the journal and the annual statement, the way French accountants open them: in
 * Excel or LibreOffice with a French locale.
 */
export type ExportColumnType = 'text' | 'cents' | 'date' | 'integer';

export interface ExportColumn<Row> {
  readonly header: string;
  readonly key: keyof Row & string;
  readonly type: ExportColumnType;
}

/** A cell value: text, integer cents, a `YYYY-MM-DD` date or a Date, a count; null or undefined for an empty cell. */
export type ExportValue = string | number | Date | null | undefined;

export const XLSX_EUROS_FORMAT = '#,##0.00 "€"';
export const XLSX_DATE_FORMAT = 'dd/mm/yyyy';
const XLSX_SHEET_NAME_LIMIT = 31;

/** The calendar date in Paris of an instant: a credit at 00:30 on 1 January (Paris) belongs to 1 January. */
const PARIS_DATE = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Paris', year: 'numeric', month: '2-digit', day: '2-digit' });

function exportFail(column: string, message: string): never {
  throw new RangeError(`Export impossible, colonne « ${column} » : ${message}`);
}

function calendarDate(value: string | Date, column: string): IsoDate {
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) exportFail(column, 'date invalide.');
    return PARIS_DATE.format(value);
  }
  if (!isIsoDate(value)) exportFail(column, `« ${String(value)} » n’est pas une date AAAA-MM-JJ.`);
  return value;
}

function integerOf(value: ExportValue, column: string, what: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value)) exportFail(column, `${String(value)} n’est pas ${what}.`);
  return value;
}

/** `1234,50` and `-0,05`: a decimal comma, no thousands separator, so that a French spreadsheet reads a number. */
export function formatCentsFrench(cents: Cents): string {
  const sign = cents < 0 ? '-' : '';
  const abs = Math.abs(cents);
  return `${sign}${Math.trunc(abs / 100)},${String(abs % 100).padStart(2, '0')}`;
}

/**
 * A spreadsheet runs a cell starting with `=`, `+`, `-`, `@` (or a tab / carriage return) as a
 * formula; bank labels come partly from payers, so such text gets a leading apostrophe.
 */
function neutraliseFormula(text: string): string {
  return /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
}

function csvCell<Row>(column: ExportColumn<Row>, value: ExportValue): string {
  if (value === null || value === undefined) return '';
  switch (column.type) {
    case 'cents':
      return formatCentsFrench(integerOf(value, column.header, 'un nombre entier de centimes'));
    case 'integer':
      return String(integerOf(value, column.header, 'un nombre entier'));
    case 'date': {
      if (typeof value === 'number') exportFail(column.header, `${value} n’est pas une date.`);
      const [year, month, day] = calendarDate(value, column.header).split('-');
      return `${day}/${month}/${year}`;
    }
    case 'text':
      return neutraliseFormula(value instanceof Date ? value.toISOString() : String(value));
  }
}

/**
 * `;`-separated, decimal comma, dates `JJ/MM/AAAA`, CR LF line ends, UTF-8 with a BOM (without
 * it Excel reads accents as Windows-1252), fields quoted RFC 4180-style when they need it.
 */
export function toFrenchCsv<Row extends object>(columns: readonly ExportColumn<Row>[], rows: readonly Row[]): Buffer {
  const records = rows.map((row) => columns.map((column) => csvCell(column, row[column.key] as ExportValue)));
  const text = stringify([columns.map((column) => column.header), ...records], { delimiter: ';', record_delimiter: 'windows', bom: true });
  return Buffer.from(text, 'utf8');
}

/** Excel refuses `[]:*?/\` in sheet names and more than 31 characters. */
function sheetNameOf(name: string): string {
  const cleaned = name
    .replace(/[[\]:*?/\\]/g, '-')
    .replace(/^'+|'+$/g, '')
    .slice(0, XLSX_SHEET_NAME_LIMIT)
    .trim();
  return cleaned === '' ? 'Feuille 1' : cleaned;
}

/**
 * An XLSX workbook of one sheet with typed cells: amounts are numbers in euros shown `1 234,50 €`,
 * dates are real dates (midnight UTC of the calendar day, as Excel has no time zone), counts are
 * integers. The header row is bold, frozen and filterable.
 */
export async function toXlsx<Row extends object>(sheetName: string, columns: readonly ExportColumn<Row>[], rows: readonly Row[]): Promise<Buffer> {
  const workbook = new ExcelJS.Workbook();
  workbook.creator = 'DIAPASON';
  const sheet = workbook.addWorksheet(sheetNameOf(sheetName), { views: [{ state: 'frozen', ySplit: 1 }] });
  sheet.columns = columns.map((column) => ({
    header: column.header,
    key: column.key,
    width: column.type === 'text' ? Math.max(16, column.header.length + 2) : Math.max(12, column.header.length + 2),
    style: column.type === 'cents' ? { numFmt: XLSX_EUROS_FORMAT } : column.type === 'date' ? { numFmt: XLSX_DATE_FORMAT } : {},
  }));
  sheet.getRow(1).font = { bold: true };
  for (const row of rows) {
    sheet.addRow(
      columns.map((column) => {
        const value = row[column.key] as ExportValue;
        if (value === null || value === undefined) return null;
        switch (column.type) {
          case 'cents':
            return integerOf(value, column.header, 'un nombre entier de centimes') / 100;
          case 'integer':
            return integerOf(value, column.header, 'un nombre entier');
          case 'date': {
            if (typeof value === 'number') exportFail(column.header, `${value} n’est pas une date.`);
            const [year, month, day] = calendarDate(value, column.header).split('-').map(Number) as [number, number, number];
            return new Date(Date.UTC(year, month - 1, day));
          }
          case 'text':
            return value instanceof Date ? value.toISOString() : String(value);
        }
      }),
    );
  }
  if (columns.length > 0) sheet.autoFilter = { from: { row: 1, column: 1 }, to: { row: 1, column: columns.length } };
  return Buffer.from(await workbook.xlsx.writeBuffer());
}
