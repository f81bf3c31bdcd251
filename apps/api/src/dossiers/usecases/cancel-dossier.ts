import { Injectable } from '@nestjs/common';
import type { Clock } from '@diapason/domain';
import { InjectClock } from '@diapason/config';
import { DossierLifecycle } from '@diapason/lifecycle';
import { Actor, ApiKeyPrincipal, DossierEntity, TransactionContext } from '@diapason/persistence';
import { FindDossier } from './find-dossier';

/** Cancels a dossier until its debit is sent; afterwards only the bank's answer ends it. */
@Injectable()
export class CancelDossier {
  constructor(
    private readonly tx: TransactionContext,
    private readonly findDossier: FindDossier,
    private readonly lifecycle: DossierLifecycle,
    @InjectClock() private readonly clock: Clock,
  ) {}

  execute(principal: ApiKeyPrincipal, id: string, reason: string): Promise<DossierEntity> {
    return this.tx.run(async () => {
      const dossier = await this.findDossier.execute(principal, id, { lock: true });
      return this.lifecycle.cancel({
        establishmentId: dossier.establishmentId,
        dossierId: dossier.id,
        actor: { type: 'gap', id: principal.apiKeyId } satisfies Actor,
        facts: { at: this.clock.now(), reason },
      });
    });
  }
}
