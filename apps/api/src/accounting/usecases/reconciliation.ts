import { Injectable } from '@nestjs/common';
import { DomainError } from '@diapason/domain';
import type { Clock } from '@diapason/domain';
import { InjectClock } from '@diapason/config';
import { normaliseIban, reconcile } from '@diapason/accounting';
import type { CreditLine, Remittance } from '@diapason/accounting';
import { AccountingRepository, ApiKeyPrincipal, BankAccountRow, CreditLineRow, RemittanceRow, TransactionContext } from '@diapason/persistence';
import { v7 as uuidv7 } from 'uuid';
import { MatchView, ReconciliationView, toBankAccountView, toMatchView } from '../accounting.views';
import { ManualMatchDto, ReconciliationQuery } from '../dto/remittance.dto';

const PARIS_DATE = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Paris', year: 'numeric', month: '2-digit', day: '2-digit' });

const asRemittance = (r: RemittanceRow): Remittance => ({
  id: r.id,
  contractNumber: r.contractNumber,
  settlementAccount: r.settlementIban,
  settlementDate: r.settlementDate,
  totalCents: r.totalCents,
  reference: r.reference,
  debits: [],
});

const asCreditLine = (l: CreditLineRow): CreditLine => ({
  id: l.id,
  accountIban: l.iban,
  bookingDate: l.bookingDate,
  amountCents: l.amountCents,
  label: l.label,
  bankReference: l.bankReference,
  endToEndId: l.endToEndId,
  additionalText: l.additionalText,
});

function matchNotFound(id: string): DomainError {
  return new DomainError('not_found', 'match_not_found', `Aucun rapprochement ${id} pour cet établissement.`);
}

/**
 * Statement credit ↔ remittance (libs/accounting `reconcile`: reference, then amount within the
 * credit window, then reference with an amount difference), remittance ↔ its debits, debit ↔
 * dossier (the journal). Automatic matches are made when a statement or a remittance arrives;
 * an accountant matches or unmatches by hand with a reason, logged with who and when, and a pair
 * unmatched by hand is never matched again automatically.
 */
@Injectable()
export class Reconciliation {
  constructor(
    private readonly tx: TransactionContext,
    private readonly accounting: AccountingRepository,
    @InjectClock() private readonly clock: Clock,
  ) {}

  today(): string {
    return PARIS_DATE.format(this.clock.now());
  }

  /** Matches what can be matched on the account; returns how many new matches. */
  async reconcileAccount(establishmentId: string, accountId: string): Promise<number> {
    return this.tx.run(async () => {
      const remittances = await this.accounting.remittances(establishmentId, { accountId, unmatched: true });
      const lines = await this.accounting.unmatchedCreditLines(establishmentId, accountId);
      if (remittances.length === 0 || lines.length === 0) return 0;
      const result = reconcile(remittances.map(asRemittance), lines.map(asCreditLine), { asOf: this.today() });
      const refused = await this.accounting.unmatchedPairs(establishmentId);
      const now = this.clock.now();
      return this.accounting.insertMatches(
        result.matches
          .filter((m) => !refused.has(`${m.remittanceId}/${m.statementLineId}`))
          .map((m) => ({
            id: uuidv7(),
            establishmentId,
            remittanceId: m.remittanceId,
            statementLineId: m.statementLineId,
            kind: m.kind,
            differenceCents: m.differenceCents,
            creditDate: m.creditDate,
            matchedBy: null,
            reason: null,
            matchedAt: now,
          })),
      );
    });
  }

  async account(principal: ApiKeyPrincipal, idOrIban: string): Promise<BankAccountRow> {
    const byId = await this.accounting.findBankAccount(principal.establishmentId, idOrIban);
    const account = byId ?? (await this.accounting.findBankAccountsByIban(principal.establishmentId, [normaliseIban(idOrIban)]))[0];
    if (!account) throw new DomainError('not_found', 'bank_account_not_found', `Aucun compte bancaire ${idOrIban} pour cet établissement.`);
    return account;
  }

  async report(principal: ApiKeyPrincipal, query: ReconciliationQuery): Promise<ReconciliationView> {
    return this.tx.snapshot(async () => {
      const account = await this.account(principal, query.account);
      const est = principal.establishmentId;
      const period = { from: query.from, to: query.to };
      const matched = (await this.accounting.matches(est, { accountId: account.id, ...period })).map(toMatchView);
      const lines = await this.accounting.unmatchedCreditLines(est, account.id, query.from, query.to);
      const remittances = await this.accounting.remittances(est, { accountId: account.id, ...period });
      const asOf = this.today();
      const uncredited = reconcile(remittances.filter((r) => r.matchId === null).map(asRemittance), [], { asOf });
      const contractOf = new Map(remittances.map((r) => [r.id, r.contractNumber]));
      const uncreditedView = (u: { remittanceId: string; settlementDate: string; expectedBy: string; totalCents: number }) => ({
        remittanceId: u.remittanceId,
        contractNumber: contractOf.get(u.remittanceId)!,
        settlementDate: u.settlementDate,
        expectedBy: u.expectedBy,
        totalCents: u.totalCents,
      });
      return {
        account: toBankAccountView(account),
        asOf,
        matched,
        unmatchedLines: lines.map((l) => ({
          id: l.id,
          bookingDate: l.bookingDate,
          amountCents: l.amountCents,
          label: l.label,
          bankReference: l.bankReference,
        })),
        overdueRemittances: uncredited.overdueRemittances.map(uncreditedView),
        pendingRemittances: uncredited.pendingRemittances.map(uncreditedView),
        amountDifferences: matched.filter((m) => m.differenceCents !== 0),
        debitsMismatches: remittances
          .filter((r) => r.debitsTotalCents !== r.totalCents || r.journalLines < r.debitCount)
          .map((r) => ({
            remittanceId: r.id,
            contractNumber: r.contractNumber,
            totalCents: r.totalCents,
            debitsTotalCents: r.debitsTotalCents,
            differenceCents: r.totalCents - r.debitsTotalCents,
            debitsNotInJournal: r.debitCount - r.journalLines,
          })),
      };
    });
  }

  match(principal: ApiKeyPrincipal, body: ManualMatchDto): Promise<MatchView> {
    return this.tx.run(async () => {
      const est = principal.establishmentId;
      const [remittance] = /^[0-9a-f-]{36}$/i.test(body.remittanceId) ? await this.accounting.remittances(est, { ids: [body.remittanceId] }) : [];
      if (!remittance) throw new DomainError('not_found', 'remittance_not_found', `Aucune remise ${body.remittanceId} pour cet établissement.`);
      const line = await this.accounting.findCreditLine(est, body.statementLineId);
      if (!line)
        throw new DomainError('not_found', 'statement_line_not_found', `Aucune ligne de crédit ${body.statementLineId} pour cet établissement.`);
      if (line.bankAccountId !== remittance.settlementAccountId) {
        throw new DomainError(
          'invalid',
          'account_mismatch',
          `La remise est réglée sur le compte ${remittance.settlementIban}, la ligne est au relevé du compte ${line.iban}.`,
        );
      }
      const now = this.clock.now();
      const id = uuidv7();
      const inserted = await this.accounting.insertMatches([
        {
          id,
          establishmentId: est,
          remittanceId: remittance.id,
          statementLineId: line.id,
          kind: 'manual',
          differenceCents: line.amountCents - remittance.totalCents,
          creditDate: line.bookingDate,
          matchedBy: principal.apiKeyId,
          reason: body.reason.trim(),
          matchedAt: now,
        },
      ]);
      if (inserted === 0) {
        throw new DomainError('conflict', 'already_matched', 'La remise ou la ligne est déjà rapprochée : défaites d’abord ce rapprochement.');
      }
      await this.accounting.logReconciliation({
        establishmentId: est,
        action: 'match',
        remittanceId: remittance.id,
        statementLineId: line.id,
        actor: principal.apiKeyId,
        reason: body.reason.trim(),
        at: now,
      });
      return toMatchView((await this.accounting.findMatch(est, id))!);
    });
  }

  unmatch(principal: ApiKeyPrincipal, id: string, reason: string): Promise<MatchView> {
    return this.tx.run(async () => {
      const match = await this.accounting.findMatch(principal.establishmentId, id);
      if (!match) throw matchNotFound(id);
      await this.accounting.deleteMatch(principal.establishmentId, id);
      await this.accounting.logReconciliation({
        establishmentId: principal.establishmentId,
        action: 'unmatch',
        remittanceId: match.remittanceId,
        statementLineId: match.statementLineId,
        actor: principal.apiKeyId,
        reason: reason.trim(),
        at: this.clock.now(),
      });
      return toMatchView(match);
    });
  }
}
