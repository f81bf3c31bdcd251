import { Injectable } from '@nestjs/common';
import { ApiKeyPrincipal, DossierEntity, DossierRepository } from '@diapason/persistence';
import { decodeCursor, encodeCursor } from '../../common/cursor';
import { DEFAULT_PAGE_SIZE } from '../../common/page.query';
import { ListDossiersQuery } from '../dto/list-dossiers.query';


@Injectable()
export class ListDossiers {
  constructor(private readonly dossiers: DossierRepository) {}

  async execute(
    principal: ApiKeyPrincipal,
    query: ListDossiersQuery,
  ): Promise<{ data: DossierEntity[]; nextCursor: string | null }> {
    const limit = query.limit ?? DEFAULT_PAGE_SIZE;
    // One more row than asked tells whether a next page exists without a count.
    const rows = await this.dossiers.list(principal.establishmentId, {
      status: query.status,
      gapDossierNumber: query.gapDossierNumber,
      beforeId: query.cursor ? decodeCursor(query.cursor) : undefined,
      limit: limit + 1,
    });
    const data = rows.slice(0, limit);
    return { data, nextCursor: rows.length > limit ? encodeCursor(data[data.length - 1]!.id) : null };
  }
}
