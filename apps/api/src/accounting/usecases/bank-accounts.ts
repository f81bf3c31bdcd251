import { Injectable } from '@nestjs/common';
import { DomainError } from '@diapason/domain';
import { InjectClock } from '@diapason/config';
import type { Clock } from '@diapason/domain';
import { validateIban } from '@diapason/accounting';
import { AccountingRepository, ApiKeyPrincipal, BankAccountRow, TransactionContext } from '@diapason/persistence';
import { v7 as uuidv7 } from 'uuid';
import { ProblemException } from '../../common/problem';
import { BankAccountDto } from '../dto/bank-account.dto';

export function bankAccountNotFound(id: string): DomainError {
  return new DomainError('not_found', 'bank_account_not_found', `Aucun compte bancaire ${id} pour cet établissement.`);
}

/** The IBAN in electronic form, or a 400 naming the field with the French reason. */
export function checkedIban(input: string): string {
  const validation = validateIban(input);
  if (!validation.ok) {
    throw new ProblemException(400, 'validation_failed', `IBAN invalide : ${validation.message}`, {
      errors: [{ field: 'iban', message: validation.message }],
    });
  }
  return validation.iban;
}

function ibanTaken(iban: string): DomainError {
  return new DomainError('conflict', 'bank_account_exists', `Un compte de l’établissement a déjà l’IBAN ${iban}.`);
}

/** The bank accounts an establishment declares: its régies' DFT accounts and, under multi-domiciliation, others. */
@Injectable()
export class BankAccounts {
  constructor(
    private readonly tx: TransactionContext,
    private readonly accounting: AccountingRepository,
    @InjectClock() private readonly clock: Clock,
  ) {}

  list(principal: ApiKeyPrincipal): Promise<BankAccountRow[]> {
    return this.accounting.listBankAccounts(principal.establishmentId);
  }

  async find(principal: ApiKeyPrincipal, id: string): Promise<BankAccountRow> {
    const account = await this.accounting.findBankAccount(principal.establishmentId, id);
    if (!account) throw bankAccountNotFound(id);
    return account;
  }

  async create(principal: ApiKeyPrincipal, body: BankAccountDto): Promise<BankAccountRow> {
    const iban = checkedIban(body.iban);
    const now = this.clock.now();
    const created = await this.accounting.insertBankAccount({
      id: uuidv7(),
      establishmentId: principal.establishmentId,
      iban,
      label: body.label,
      createdAt: now,
      updatedAt: now,
    });
    if (!created) throw ibanTaken(iban);
    return created;
  }

  update(principal: ApiKeyPrincipal, id: string, body: BankAccountDto): Promise<BankAccountRow> {
    const iban = checkedIban(body.iban);
    return this.tx.run(async () => {
      await this.find(principal, id);
      const same = await this.accounting.findBankAccountsByIban(principal.establishmentId, [iban]);
      if (same.some((other) => other.id !== id)) throw ibanTaken(iban);
      const updated = await this.accounting.updateBankAccount(principal.establishmentId, id, { iban, label: body.label, at: this.clock.now() });
      if (!updated) throw bankAccountNotFound(id);
      return updated;
    });
  }
}
