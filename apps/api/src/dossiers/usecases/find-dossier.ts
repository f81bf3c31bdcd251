import { Injectable } from '@nestjs/common';
import { dossierNotFound } from '@diapason/lifecycle';
import { ApiKeyPrincipal, DossierEntity, DossierRepository } from '@diapason/persistence';
import { uuidOrNotFound } from '../../common/identifiers';

/** Reads a dossier of the caller's establishment; another establishment's dossier does not exist for it. */
@Injectable()
export class FindDossier {
  constructor(private readonly dossiers: DossierRepository) {}

  async execute(principal: ApiKeyPrincipal, id: string, options: { lock?: boolean } = {}): Promise<DossierEntity> {
    const dossierId = uuidOrNotFound(id, () => dossierNotFound(id));
    const dossier = options.lock
      ? await this.dossiers.findByIdForUpdate(principal.establishmentId, dossierId)
      : await this.dossiers.findById(principal.establishmentId, dossierId);
    if (!dossier) throw dossierNotFound(id);
    return dossier;
  }
}
