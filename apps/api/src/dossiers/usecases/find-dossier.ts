import { Injectable } from '@nestjs/common';
import { DomainError } from '@diapason/domain';
import { ApiKeyPrincipal, DossierEntity, DossierRepository } from '@diapason/persistence';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function dossierNotFound(id: string): DomainError {
  return new DomainError('not_found', 'dossier_not_found', `Aucun dossier ${id} pour cet établissement.`);
}

/** Reads a dossier of the caller's establishment; another establishment's dossier does not exist for it. */
@Injectable()
export class FindDossier {
  constructor(private readonly dossiers: DossierRepository) {}

  async execute(principal: ApiKeyPrincipal, id: string, options: { lock?: boolean } = {}): Promise<DossierEntity> {
    if (!UUID.test(id)) throw dossierNotFound(id);
    const dossier = options.lock
      ? await this.dossiers.findByIdForUpdate(principal.establishmentId, id.toLowerCase())
      : await this.dossiers.findById(principal.establishmentId, id.toLowerCase());
    if (!dossier) throw dossierNotFound(id);
    return dossier;
  }
}
