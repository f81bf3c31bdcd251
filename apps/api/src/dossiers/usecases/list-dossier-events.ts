import { Injectable } from '@nestjs/common';
import { ApiKeyPrincipal, DossierEventEntity, DossierRepository } from '@diapason/persistence';
import { FindDossier } from './find-dossier';

/** The append-only journal of one dossier, oldest first. */
@Injectable()
export class ListDossierEvents {
  constructor(
    private readonly findDossier: FindDossier,
    private readonly dossiers: DossierRepository,
  ) {}

  async execute(principal: ApiKeyPrincipal, id: string): Promise<DossierEventEntity[]> {
    const dossier = await this.findDossier.execute(principal, id);
    return this.dossiers.events(dossier.id);
  }
}
