import { camt053Version, parseCamt053 } from './camt053';
import { Cfonb120ParseOptions, parseCfonb120 } from './cfonb120';
import { decodeStatementText } from './encoding';
import { BankStatementError } from './errors';
import { BankStatement, StatementFormat, fromCfonb } from './statement';

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
