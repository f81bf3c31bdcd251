import { Injectable } from '@nestjs/common';
import { ApiKeyPrincipal, EstablishmentRepository, RegieEntity } from '@diapason/persistence';
import { CODE_PATTERN } from '../../common/identifiers';
import { ProblemException } from '../../common/problem';
import { RegieDto } from '../dto/regie.dto';

/** Creates the régie or completes its name and the contact details shown to patients. */
@Injectable()
export class UpsertRegie {
  constructor(private readonly establishments: EstablishmentRepository) {}

  execute(principal: ApiKeyPrincipal, code: string, details: RegieDto): Promise<RegieEntity> {
    if (!CODE_PATTERN.test(code)) {
      throw new ProblemException(400, 'validation_failed', 'Code de régie invalide.', { errors: [{ field: 'code', message: 'format invalide' }] });
    }
    return this.establishments.upsertRegie(principal.establishmentId, code, details);
  }
}
