import { Injectable } from '@nestjs/common';
import { DomainError } from '@diapason/domain';
import { AccountingRepository, ApiKeyPrincipal, EstablishmentRepository, RegieEntity, TransactionContext, scopeAllows } from '@diapason/persistence';
import { CODE_PATTERN } from '../../common/identifiers';
import { ProblemException } from '../../common/problem';
import { insufficientScope } from '../../common/scopes';
import { RegieDto } from '../dto/regie.dto';

/** Creates the régie or completes its name, the contact details shown to patients, and its DFT account. */
@Injectable()
export class UpsertRegie {
  constructor(
    private readonly tx: TransactionContext,
    private readonly establishments: EstablishmentRepository,
    private readonly accounting: AccountingRepository,
  ) {}

  execute(principal: ApiKeyPrincipal, code: string, body: RegieDto): Promise<RegieEntity> {
    if (!CODE_PATTERN.test(code)) {
      throw new ProblemException(400, 'validation_failed', 'Code de régie invalide.', { errors: [{ field: 'code', message: 'format invalide' }] });
    }
    const { dftAccountId, ...details } = body;
    // The DFT account is accounting data: the régie's other details stay open to `dossiers` keys.
    if (dftAccountId !== undefined && !scopeAllows(principal.scopes, 'accounting', 'PUT')) throw insufficientScope('accounting', false);
    return this.tx.run(async () => {
      if (dftAccountId !== undefined && !(await this.accounting.findBankAccount(principal.establishmentId, dftAccountId))) {
        throw new DomainError('invalid', 'unknown_bank_account', `Aucun compte bancaire ${dftAccountId} pour cet établissement.`, {
          errors: [{ field: 'dftAccountId', message: 'compte inconnu' }],
        });
      }
      const regie = await this.establishments.upsertRegie(principal.establishmentId, code, details);
      if (dftAccountId === undefined) return regie;
      await this.accounting.setRegieDftAccount(regie.id, dftAccountId);
      return { ...regie, dftAccountId };
    });
  }
}
