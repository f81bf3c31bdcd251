import { createHash } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { DomainError } from '@diapason/domain';
import type { Clock } from '@diapason/domain';
import { InjectClock } from '@diapason/config';
import { AccountStatement, formatIban, parseBankStatement } from '@diapason/accounting';
import { AccountingRepository, ApiKeyPrincipal, BankAccountRow, NewStatementLine, TransactionContext } from '@diapason/persistence';
import { v7 as uuidv7 } from 'uuid';
import { ProblemException } from '../../common/problem';
import { StatementAccountSummaryView, StatementSummaryView } from '../accounting.views';
import { Reconciliation } from './reconciliation';

const sha256 = (data: string | Buffer): string => createHash('sha256').update(data).digest('hex');
const clip = (text: string | null, length: number): string | null => (text === null ? null : text.slice(0, length));

/**
 * Imports a bank statement (CFONB 120 or camt.053, recognised from its content) of the
 * establishment's declared accounts. The same file imported again changes nothing and gets the
 * first import's summary; a line already known from an overlapping statement is not stored twice.
 */
@Injectable()
export class ImportStatement {
  constructor(
    private readonly tx: TransactionContext,
    private readonly accounting: AccountingRepository,
    private readonly reconciliation: Reconciliation,
    @InjectClock() private readonly clock: Clock,
  ) {}

  async execute(principal: ApiKeyPrincipal, content: Buffer): Promise<StatementSummaryView> {
    if (content.length === 0) throw new ProblemException(400, 'statement_missing', 'Le relevé est vide : envoyez le fichier de la banque.');
    const digest = sha256(content);
    const known = await this.accounting.findStatementBySha(principal.establishmentId, digest);
    if (known) return { ...(known.summary as unknown as StatementSummaryView), alreadyImported: true };

    const parsed = parseBankStatement(content);
    if (!parsed.ok) {
      throw new DomainError('invalid', 'invalid_bank_statement', `Relevé illisible : ${parsed.message}`, { line: parsed.line, field: parsed.field });
    }
    const statement = parsed.statement;
    const accounts = await this.accountsOf(principal.establishmentId, statement.accounts);

    const summary = await this.tx.run(async (): Promise<StatementSummaryView> => {
      const id = uuidv7();
      const importedAt = this.clock.now();
      const inserted = await this.accounting.insertStatement({
        id,
        establishmentId: principal.establishmentId,
        format: statement.format,
        sha256: digest,
        sizeBytes: content.length,
        summary: {},
        importedAt,
        importedBy: principal.apiKeyId,
      });
      if (!inserted) {
        // The same file, imported at the same moment by another request.
        const stored = await this.accounting.findStatementBySha(principal.establishmentId, digest);
        return { ...(stored!.summary as unknown as StatementSummaryView), alreadyImported: true };
      }
      const lines = this.linesOf(statement.accounts, accounts);
      const fresh = await this.accounting.insertStatementLines(principal.establishmentId, id, lines);
      const summary: StatementSummaryView = {
        id,
        format: statement.format,
        alreadyImported: false,
        importedAt: importedAt.toISOString(),
        lines: lines.length,
        newLines: fresh.size,
        accounts: this.summaries(statement.accounts, accounts, lines, fresh),
      };
      await this.accounting.updateStatementSummary(id, summary as unknown as Record<string, unknown>);
      return summary;
    });
    // The new credits may settle remittances already known.
    if (!summary.alreadyImported)
      for (const account of summary.accounts) await this.reconciliation.reconcileAccount(principal.establishmentId, account.bankAccountId);
    return summary;
  }

  /** Each block's declared account; a statement of an undeclared account is refused whole. */
  private async accountsOf(establishmentId: string, blocks: readonly AccountStatement[]): Promise<BankAccountRow[]> {
    const ibans = blocks.map((block) => block.account.iban);
    const declared = await this.accounting.findBankAccountsByIban(
      establishmentId,
      ibans.filter((iban): iban is string => iban !== null),
    );
    return blocks.map((block) => {
      const account = declared.find((candidate) => candidate.iban === block.account.iban);
      if (account) return account;
      const named = block.account.iban
        ? formatIban(block.account.iban)
        : [block.account.bankCode, block.account.branchCode, block.account.accountNumber].filter(Boolean).join(' ') || 'sans identifiant';
      throw new DomainError(
        'invalid',
        'unknown_bank_account',
        `Le relevé concerne le compte ${named}, qui n’est pas déclaré pour cet établissement : déclarez-le (POST /v1/bank-accounts) puis importez de nouveau.`,
        { iban: block.account.iban },
      );
    });
  }

  private linesOf(blocks: readonly AccountStatement[], accounts: readonly BankAccountRow[]): NewStatementLine[] {
    const seen = new Map<string, number>();
    return blocks.flatMap((block, index) =>
      block.lines.map((line) => {
        const account = accounts[index];
        const identity = JSON.stringify([
          account.iban,
          line.bookingDate,
          line.valueDate,
          line.direction,
          line.amountCents,
          line.label,
          line.bankReference,
          line.endToEndId,
          line.additionalText,
        ]);
        // Two identical lines in one file are two movements: the occurrence tells them apart.
        const occurrence = seen.get(identity) ?? 0;
        seen.set(identity, occurrence + 1);
        return {
          id: uuidv7(),
          bankAccountId: account.id,
          direction: line.direction,
          amountCents: line.amountCents,
          bookingDate: line.bookingDate,
          valueDate: line.valueDate,
          label: line.label.slice(0, 200),
          bankReference: clip(line.bankReference, 64),
          endToEndId: clip(line.endToEndId, 64),
          additionalText: line.additionalText,
          fingerprint: sha256(`${identity}#${occurrence}`),
        };
      }),
    );
  }

  /** One summary per account, the blocks of several days of one account taken together. */
  private summaries(
    blocks: readonly AccountStatement[],
    accounts: readonly BankAccountRow[],
    lines: readonly NewStatementLine[],
    fresh: ReadonlySet<string>,
  ): StatementAccountSummaryView[] {
    const byAccount = new Map<string, StatementAccountSummaryView>();
    blocks.forEach((block, index) => {
      const account = accounts[index];
      const summary = byAccount.get(account.id) ?? {
        bankAccountId: account.id,
        iban: account.iban,
        label: account.label,
        openingBalance: block.openingBalance,
        closingBalance: null,
        from: null,
        to: null,
        lines: 0,
        newLines: 0,
        credits: 0,
        creditsCents: 0,
        debits: 0,
        debitsCents: 0,
      };
      summary.closingBalance = block.closingBalance ?? summary.closingBalance;
      byAccount.set(account.id, summary);
    });
    for (const line of lines) {
      const summary = byAccount.get(line.bankAccountId)!;
      summary.lines += 1;
      if (fresh.has(line.fingerprint)) summary.newLines += 1;
      if (line.direction === 'credit') {
        summary.credits += 1;
        summary.creditsCents += line.amountCents;
      } else {
        summary.debits += 1;
        summary.debitsCents += line.amountCents;
      }
      if (summary.from === null || line.bookingDate < summary.from) summary.from = line.bookingDate;
      if (summary.to === null || line.bookingDate > summary.to) summary.to = line.bookingDate;
    }
    return [...byAccount.values()];
  }
}
