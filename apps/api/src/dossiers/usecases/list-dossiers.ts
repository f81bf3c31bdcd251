import { Injectable } from '@nestjs/common';
import { ApiKeyPrincipal, DossierEntity, DossierRepository } from '@diapason/persistence';
import { Page, keysetPage } from '../../common/paging';
import { ListDossiersQuery } from '../dto/list-dossiers.query';

@Injectable()
export class ListDossiers {
  constructor(private readonly dossiers: DossierRepository) {}

  execute(principal: ApiKeyPrincipal, query: ListDossiersQuery): Promise<Page<DossierEntity>> {
    return keysetPage(query, (beforeId, limit) =>
      this.dossiers.list(principal.establishmentId, { status: query.status, gapDossierNumber: query.gapDossierNumber, beforeId, limit }),
    );
  }
}
