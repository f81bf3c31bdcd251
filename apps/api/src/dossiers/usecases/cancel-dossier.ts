import { Injectable } from '@nestjs/common';
import type { Clock } from '@diapason/domain';
import { InjectClock } from '@diapason/config';
import { Actor, ApiKeyPrincipal, DossierEntity, DossierRepository, TransactionContext } from '@diapason/persistence';
import { FindDossier } from './find-dossier';

/** Cancels a dossier until its debit is sent; afterwards only the bank's answer ends it. */
@Injectable()
export class CancelDossier {
  constructor(
    private readonly tx: TransactionContext,
    private readonly findDossier: FindDossier,
    private readonly dossiers: DossierRepository,
    @InjectClock() private readonly clock: Clock,
  ) {}

  execute(principal: ApiKeyPrincipal, id: string, reason: string, actor?: Actor): Promise<DossierEntity> {
    return this.tx.run(async () => {
      const dossier = await this.findDossier.execute(principal, id, { lock: true });
      const now = this.clock.now();
      return this.dossiers.transition(dossier, 'cancelled', {
        at: now,
        actor: actor ?? { type: 'gap', id: principal.apiKeyId },
        patch: { cancelledAt: now, cancelReason: reason },
        details: { reason },
      });
    });
  }
}
