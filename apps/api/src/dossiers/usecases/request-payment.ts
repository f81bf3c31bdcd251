import { Injectable } from '@nestjs/common';
import type { Clock, DossierStatus } from '@diapason/domain';
import { DomainError, InvalidTransitionError, formatEuros, isPaymentRequestLate } from '@diapason/domain';
import type { DiapasonConfig } from '@diapason/config';
import { InjectClock, InjectConfig } from '@diapason/config';
import { ApiKeyPrincipal, DossierEntity, DossierRepository, TransactionContext } from '@diapason/persistence';
import { NoticeLifecycle } from '@diapason/notifier';
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
    @InjectConfig() private readonly config: DiapasonConfig,
    @InjectClock() private readonly clock: Clock,
    private readonly notices: NoticeLifecycle,
  ) {}

  execute(principal: ApiKeyPrincipal, id: string, command: RequestPaymentDto): Promise<PaymentRequestOutcome> {
    return this.tx.run(async () => {
      const dossier = await this.findDossier.execute(principal, id, { lock: true });
      if (dossier.status !== 'imprinted') {
        throw new InvalidTransitionError(dossier.status as DossierStatus, 'payment_requested');
      }
      const ceiling = dossier.ceilingCents!;
      if (command.amountCents > ceiling) {
        throw new DomainError(
          'invalid',
          'amount_exceeds_ceiling',
          `Le montant demandé (${formatEuros(command.amountCents)}) dépasse le plafond de l’empreinte ` +
            `(${formatEuros(ceiling)}) : facturez ce dossier par la voie habituelle.`,
          { ceilingCents: ceiling, amountCents: command.amountCents },
        );
      }
      const now = this.clock.now();
      const late = isPaymentRequestLate(now, dossier.imprintValidUntil!, this.config.delays);
      const updated = await this.dossiers.transition(dossier, 'payment_requested', {
        at: now,
        actor: { type: 'gap', id: principal.apiKeyId },
        patch: {
          amountCents: command.amountCents,
          invoiceReference: command.invoiceReference ?? null,
          paymentRequestedAt: now,
          paymentRequestLate: late,
        },
        details: { amountCents: command.amountCents, invoiceReference: command.invoiceReference ?? null, late },
      });
      // The notices are written in this transaction and leave once it commits.
      await this.notices.requestNotices(updated, now);
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
