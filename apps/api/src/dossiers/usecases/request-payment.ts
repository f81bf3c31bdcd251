import { Injectable } from '@nestjs/common';
import type { Clock } from '@diapason/domain';
import { InjectClock } from '@diapason/config';
import { DossierLifecycle } from '@diapason/lifecycle';
import { ApiKeyPrincipal, DossierEntity, DossierRepository, TransactionContext } from '@diapason/persistence';
import { RequestPaymentDto } from '../dto/request-payment.dto';
import { FindDossier } from './find-dossier';

export interface PaymentRequestOutcome {
  dossier: DossierEntity;
  warnings: { code: string; message: string }[];
}

/** The GAP gives the amount owed after the stay: the notice to the patient can go out. */
@Injectable()
export class RequestPayment {
  constructor(
    private readonly tx: TransactionContext,
    private readonly findDossier: FindDossier,
    private readonly dossiers: DossierRepository,
    private readonly lifecycle: DossierLifecycle,
    @InjectClock() private readonly clock: Clock,
  ) {}

  execute(principal: ApiKeyPrincipal, id: string, command: RequestPaymentDto): Promise<PaymentRequestOutcome> {
    return this.tx.run(async () => {
      const dossier = await this.findDossier.execute(principal, id, { lock: true });
      const { dossier: updated, late } = await this.lifecycle.paymentRequested({
        establishmentId: dossier.establishmentId,
        dossierId: dossier.id,
        actor: { type: 'gap', id: principal.apiKeyId },
        facts: { at: this.clock.now(), amountCents: command.amountCents, invoiceReference: command.invoiceReference ?? null },
      });
      const warnings = late
        ? [
            {
              code: 'late_payment_request',
              message:
                'Demande tardive : le délai avant débit ne pourra pas être respecté avant la fin de validité de ' +
                `l’empreinte (${dossier.imprintValidUntil!.toISOString()}). Le dossier risque de finir en « Délais dépassés ».`,
            },
          ]
        : [];
      return { dossier: (await this.dossiers.findById(principal.establishmentId, updated.id)) ?? updated, warnings };
    });
  }
}
