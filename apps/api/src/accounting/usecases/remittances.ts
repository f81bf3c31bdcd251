import { Injectable } from '@nestjs/common';
import { DomainError } from '@diapason/domain';
import type { Clock } from '@diapason/domain';
import { InjectClock } from '@diapason/config';
import { isCalendarDate } from '@diapason/accounting';
import { AccountingRepository, ApiKeyPrincipal, MerchantContractRow, RemittanceRow, TransactionContext } from '@diapason/persistence';
import { v7 as uuidv7 } from 'uuid';
import { RemittanceListQuery, RemittanceUploadDto } from '../dto/remittance.dto';
import { Reconciliation } from './reconciliation';

/**
 * The acquirer's remittances: one per contract and settlement day, with the debits it groups. An
 * upload links each debit to its journal line (by the acquirer's transaction reference), flags a
 * remittance whose debits do not add up, and reconciles the settlement accounts again.
 */
@Injectable()
export class Remittances {
  constructor(
    private readonly tx: TransactionContext,
    private readonly accounting: AccountingRepository,
    private readonly reconciliation: Reconciliation,
    @InjectClock() private readonly clock: Clock,
  ) {}

  async upload(principal: ApiKeyPrincipal, body: RemittanceUploadDto): Promise<{ imported: number; alreadyKnown: number; data: RemittanceRow[] }> {
    const est = principal.establishmentId;
    const outcome = await this.tx.run(async () => {
      const contracts = new Map<string, MerchantContractRow>();
      const ids: string[] = [];
      let imported = 0;
      for (const [index, remittance] of body.remittances.entries()) {
        const [year, month, day] = remittance.settlementDate.split('-').map(Number);
        if (!isCalendarDate(year, month, day)) {
          throw new DomainError('invalid', 'invalid_date', `Remise ${index + 1} : ${remittance.settlementDate} n’est pas une date.`, {
            errors: [{ field: `remittances.${index}.settlementDate`, message: 'date inexistante' }],
          });
        }
        let contract = contracts.get(remittance.contract);
        if (!contract) {
          contract = (await this.accounting.findContractByNumber(est, remittance.contract)) ?? undefined;
          if (!contract) {
            throw new DomainError(
              'invalid',
              'unknown_merchant_contract',
              `Remise ${index + 1} : aucun contrat commerçant ${remittance.contract} pour cet établissement.`,
              {
                errors: [{ field: `remittances.${index}.contract`, message: 'contrat inconnu' }],
              },
            );
          }
          contracts.set(remittance.contract, contract);
        }
        const id = uuidv7();
        const inserted = await this.accounting.insertRemittance({
          id,
          establishmentId: est,
          merchantContractId: contract.id,
          settlementDate: remittance.settlementDate,
          totalCents: remittance.totalCents,
          reference: remittance.reference ?? null,
          source: 'upload',
          debits: remittance.debits,
          createdAt: this.clock.now(),
        });
        if (inserted) imported += 1;
        ids.push(inserted ? id : (await this.accounting.findRemittanceByContractDay(contract.id, remittance.settlementDate))!);
      }
      return { imported, ids, accounts: [...new Set([...contracts.values()].map((c) => c.settlementAccountId))] };
    });
    for (const account of outcome.accounts) await this.reconciliation.reconcileAccount(est, account);
    return {
      imported: outcome.imported,
      alreadyKnown: body.remittances.length - outcome.imported,
      data: await this.accounting.remittances(est, { ids: outcome.ids }),
    };
  }

  async list(principal: ApiKeyPrincipal, query: RemittanceListQuery): Promise<RemittanceRow[]> {
    let contractId: string | undefined;
    if (query.contract !== undefined) {
      const contract =
        (await this.accounting.findContractByNumber(principal.establishmentId, query.contract)) ??
        (await this.accounting.findContract(principal.establishmentId, query.contract));
      if (!contract)
        throw new DomainError('not_found', 'merchant_contract_not_found', `Aucun contrat commerçant ${query.contract} pour cet établissement.`);
      contractId = contract.id;
    }
    return this.accounting.remittances(principal.establishmentId, { contractId, from: query.from, to: query.to });
  }
}
