import { Injectable } from '@nestjs/common';
import type { Clock } from '@diapason/domain';
import { completionDueAt } from '@diapason/domain';
import type { DiapasonConfig } from '@diapason/config';
import { InjectClock, InjectConfig } from '@diapason/config';
import { regieContact } from '@diapason/notifier';
import { DossierEntity, EstablishmentRepository } from '@diapason/persistence';
import type { PatientPageModel } from '../pages';

/** What the patient's page shows, derived from the dossier's state. */
@Injectable()
export class PresentPatientPage {
  constructor(
    private readonly establishments: EstablishmentRepository,
    @InjectConfig() private readonly config: DiapasonConfig,
    @InjectClock() private readonly clock: Clock,
  ) {}

  async execute(token: string, dossier: DossierEntity, message?: string): Promise<PatientPageModel> {
    const establishment = (await this.establishments.findById(dossier.establishmentId))!;
    const regie = await this.establishments.findRegieById(dossier.regieId);
    return {
      token,
      hospitalName: establishment.name,
      amountCents: dossier.amountCents ?? 0,
      gapDossierNumber: dossier.gapDossierNumber,
      imprintedAt: dossier.imprintedAt ?? dossier.createdAt,
      debitDate: dossier.completionDueAt,
      debitDateIfAcknowledgedNow: completionDueAt(this.clock.now(), this.config.delays),
      acknowledged: dossier.acknowledgedAt !== null,
      state: pageState(dossier),
      regie: regieContact(regie, dossier.regieCode),
      message,
    };
  }
}

export function pageState(dossier: Pick<DossierEntity, 'status'>): PatientPageModel['state'] {
  switch (dossier.status) {
    case 'payment_requested':
    case 'acknowledged':
      return 'open';
    case 'completing':
      return 'debit_sent';
    case 'completed':
      return 'paid';
    case 'cancelled':
      return 'cancelled';
    default:
      return 'closed';
  }
}
