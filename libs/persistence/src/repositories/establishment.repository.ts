import { Injectable } from '@nestjs/common';
import { v7 as uuidv7 } from 'uuid';
import { EstablishmentEntity, RegieEntity } from '../entities';
import { TransactionContext } from '../transaction-context';

export interface RegieDetails {
  name?: string;
  phone?: string | null;
  email?: string | null;
  address?: string | null;
  openingHours?: string | null;
}

@Injectable()
export class EstablishmentRepository {
  /** Régie ids never change once created: safe to keep per process. */
  private readonly regieIds = new Map<string, string>();

  constructor(private readonly tx: TransactionContext) {}

  findByCode(code: string): Promise<EstablishmentEntity | null> {
    return this.tx.manager.findOneBy(EstablishmentEntity, { code });
  }

  findById(id: string): Promise<EstablishmentEntity | null> {
    return this.tx.manager.findOneBy(EstablishmentEntity, { id });
  }

  /** The establishment with this code, created with `name` if it does not exist yet. */
  async ensure(code: string, name: string): Promise<EstablishmentEntity> {
    await this.tx.manager.query(`INSERT INTO establishment (id, code, name) VALUES ($1, $2, $3) ON CONFLICT (code) DO NOTHING`, [
      uuidv7(),
      code,
      name,
    ]);
    return this.tx.manager.findOneByOrFail(EstablishmentEntity, { code });
  }

  async rename(id: string, name: string): Promise<void> {
    await this.tx.manager.update(EstablishmentEntity, { id }, { name });
  }

  /** Id of the régie `code` of the establishment; a régie is registered the first time a dossier names it. */
  async ensureRegie(establishmentId: string, code: string): Promise<string> {
    const cacheKey = `${establishmentId}/${code}`;
    const cached = this.regieIds.get(cacheKey);
    if (cached) return cached;
    const rows: { id: string }[] = await this.tx.manager.query(
      `WITH inserted AS (
         INSERT INTO regie (id, establishment_id, code, name) VALUES ($1, $2, $3, $3)
         ON CONFLICT (establishment_id, code) DO NOTHING RETURNING id)
       SELECT id FROM inserted UNION ALL
       SELECT id FROM regie WHERE establishment_id = $2 AND code = $3`,
      [uuidv7(), establishmentId, code],
    );
    const id = rows[0]?.id;
    if (!id) throw new Error(`Régie ${code} could not be registered`);
    this.regieIds.set(cacheKey, id);
    return id;
  }

  findRegie(establishmentId: string, code: string): Promise<RegieEntity | null> {
    return this.tx.manager.findOneBy(RegieEntity, { establishmentId, code });
  }

  findRegieById(id: string): Promise<RegieEntity | null> {
    return this.tx.manager.findOneBy(RegieEntity, { id });
  }

  listRegies(establishmentId: string): Promise<RegieEntity[]> {
    return this.tx.manager.find(RegieEntity, { where: { establishmentId }, order: { code: 'ASC' } });
  }

  async upsertRegie(establishmentId: string, code: string, details: RegieDetails): Promise<RegieEntity> {
    const id = await this.ensureRegie(establishmentId, code);
    const patch: Partial<RegieEntity> = {};
    for (const key of ['name', 'phone', 'email', 'address', 'openingHours'] as const) {
      if (details[key] !== undefined) (patch as Record<string, unknown>)[key] = details[key];
    }
    if (Object.keys(patch).length > 0) await this.tx.manager.update(RegieEntity, { id }, patch);
    return this.tx.manager.findOneByOrFail(RegieEntity, { id });
  }
}
