import { Injectable } from '@nestjs/common';
import { DomainError } from '@diapason/domain';
import { InjectClock } from '@diapason/config';
import type { Clock } from '@diapason/domain';
import { AccountingRepository, ApiKeyPrincipal, MerchantContractRow, TransactionContext } from '@diapason/persistence';
import { v7 as uuidv7 } from 'uuid';
import { MerchantContractDto } from '../dto/merchant-contract.dto';

export function merchantContractNotFound(id: string): DomainError {
  return new DomainError('not_found', 'merchant_contract_not_found', `Aucun contrat commerçant ${id} pour cet établissement.`);
}

/** One contract per payment modality, each settled on one of the establishment's accounts. */
@Injectable()
export class MerchantContracts {
  constructor(
    private readonly tx: TransactionContext,
    private readonly accounting: AccountingRepository,
    @InjectClock() private readonly clock: Clock,
  ) {}

  list(principal: ApiKeyPrincipal): Promise<MerchantContractRow[]> {
    return this.accounting.listContracts(principal.establishmentId);
  }

  async find(principal: ApiKeyPrincipal, id: string): Promise<MerchantContractRow> {
    const contract = await this.accounting.findContract(principal.establishmentId, id);
    if (!contract) throw merchantContractNotFound(id);
    return contract;
  }

  create(principal: ApiKeyPrincipal, body: MerchantContractDto): Promise<MerchantContractRow> {
    return this.tx.run(async () => {
      const settlementAccountId = await this.settlementAccount(principal, body);
      await this.assertFree(principal, body, null);
      const id = uuidv7();
      const inserted = await this.accounting.insertContract({
        id,
        establishmentId: principal.establishmentId,
        number: body.number,
        modality: body.modality,
        acquirer: body.acquirer,
        settlementAccountId,
        createdAt: this.clock.now(),
      });
      if (!inserted) await this.assertFree(principal, body, null);
      return this.find(principal, id);
    });
  }

  update(principal: ApiKeyPrincipal, id: string, body: MerchantContractDto): Promise<MerchantContractRow> {
    return this.tx.run(async () => {
      await this.find(principal, id);
      const settlementAccountId = await this.settlementAccount(principal, body);
      await this.assertFree(principal, body, id);
      await this.accounting.updateContract(principal.establishmentId, id, {
        number: body.number,
        modality: body.modality,
        acquirer: body.acquirer,
        settlementAccountId,
        at: this.clock.now(),
      });
      return this.find(principal, id);
    });
  }

  /** The account named, which must be the establishment's; by default the one DFT account of its régies. */
  private async settlementAccount(principal: ApiKeyPrincipal, body: MerchantContractDto): Promise<string> {
    if (body.settlementAccountId !== undefined) {
      const account = await this.accounting.findBankAccount(principal.establishmentId, body.settlementAccountId);
      if (!account) {
        throw new DomainError('invalid', 'unknown_bank_account', `Aucun compte bancaire ${body.settlementAccountId} pour cet établissement.`, {
          errors: [{ field: 'settlementAccountId', message: 'compte inconnu' }],
        });
      }
      return account.id;
    }
    const dft = await this.accounting.dftAccountIds(principal.establishmentId);
    if (dft.length === 1) return dft[0];
    throw new DomainError(
      'invalid',
      'settlement_account_required',
      dft.length === 0
        ? 'Aucune régie n’a de compte DFT : indiquez settlementAccountId, ou déclarez le compte DFT de la régie (PUT /v1/regies/{code}).'
        : 'Les régies de l’établissement ont plusieurs comptes DFT : indiquez settlementAccountId.',
      { errors: [{ field: 'settlementAccountId', message: 'compte de règlement à préciser' }] },
    );
  }

  private async assertFree(principal: ApiKeyPrincipal, body: MerchantContractDto, self: string | null): Promise<void> {
    const sameNumber = await this.accounting.findContractByNumber(principal.establishmentId, body.number);
    if (sameNumber && sameNumber.id !== self) {
      throw new DomainError('conflict', 'merchant_contract_exists', `Le contrat commerçant ${body.number} existe déjà pour cet établissement.`, {
        existingContractId: sameNumber.id,
      });
    }
    const sameModality = await this.accounting.findContractByModality(principal.establishmentId, body.modality);
    if (sameModality && sameModality.id !== self) {
      throw new DomainError(
        'conflict',
        'modality_has_contract',
        `L’établissement a déjà un contrat pour la modalité ${body.modality} (n° ${sameModality.number}) : modifiez-le (PUT) plutôt que d’en créer un second.`,
        { existingContractId: sameModality.id },
      );
    }
  }
}
