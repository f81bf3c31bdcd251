import { DomainError } from '@diapason/domain';

/**
 * A bank statement that cannot be read or written. The message is French and names the line and
 * the field, so that an accountant can open the file and see what the bank sent.
 */
export class BankStatementError extends DomainError {
  constructor(
    message: string,
    readonly line: number | null = null,
    readonly field: string | null = null,
  ) {
    super('invalid', 'invalid_bank_statement', message, { line, field });
  }
}
