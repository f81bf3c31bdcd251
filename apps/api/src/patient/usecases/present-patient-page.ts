import { Injectable } from '@nestjs/common';
import type { Clock } from '@diapason/domain';
import { canTransition, completionDueAt } from '@diapason/domain';
import type { DiapasonConfig } from '@diapason/config';
import { InjectClock, InjectConfig } from '@diapason/config';
import { frenchDate, regieContact } from '@diapason/notifier';
import { DossierEntity, EstablishmentRepository } from '@diapason/persistence';
import type { PageMessage, PatientPageModel } from '../pages';

/** What the patient just did, as the redirect after the form names it (`?fait=…`). */
export type PatientAction = 'prise-de-connaissance' | 'autre-paiement';

export function patientAction(value: unknown): PatientAction | undefined {
  return value === 'prise-de-connaissance' || value === 'autre-paiement' ? value : undefined;
}

/**
 * What the patient's page shows, derived from the dossier's state as read now. The action named in
 * the address only chooses which outcome to report; the outcome itself (recorded, or too late, and
 * why) is read from the dossier, so the address alone can never make the page say something false.
 */
@Injectable()
export class PresentPatientPage {
  constructor(
    private readonly establishments: EstablishmentRepository,
    @InjectConfig() private readonly config: DiapasonConfig,
    @InjectClock() private readonly clock: Clock,
  ) {}

  async execute(token: string, dossier: DossierEntity, action?: PatientAction): Promise<PatientPageModel> {
    const establishment = (await this.establishments.findById(dossier.establishmentId))!;
    const regie = await this.establishments.findRegieById(dossier.regieId);
    return {
      token,
      hospitalName: establishment.name,
      amountCents: dossier.amountCents ?? 0,
      gapDossierNumber: dossier.gapDossierNumber,
      imprintedAt: dossier.imprintedAt ?? dossier.createdAt,
      status: dossier.status,
      debitDate: dossier.completionDueAt,
      debitDateIfAcknowledgedNow: completionDueAt(this.clock.now(), this.config.delays),
      debitStartedAt: dossier.completionStartedAt,
      paidAt: dossier.completedAt,
      cancelledByPatient: dossier.status === 'cancelled' && dossier.cancelReason === 'patient_choice',
      acknowledged: dossier.acknowledgedAt !== null,
      canPayOtherwise: canPayOtherwise(dossier),
      regie: regieContact(regie, dossier.regieCode),
      message: action ? outcomeOf(action, dossier) : undefined,
    };
  }
}

/** « Payer autrement » is offered only where the lifecycle still allows the patient's cancellation. */
export function canPayOtherwise(dossier: Pick<DossierEntity, 'status'>): boolean {
  return (dossier.status === 'payment_requested' || dossier.status === 'acknowledged') && canTransition(dossier.status, 'cancelled');
}

/** The outcome of what the patient just did, as the dossier shows it now; nothing when it shows none. */
export function outcomeOf(
  action: PatientAction,
  d: Pick<DossierEntity, 'status' | 'acknowledgedAt' | 'cancelReason' | 'completionStartedAt' | 'completedAt'>,
): PageMessage | undefined {
  if (action === 'prise-de-connaissance') {
    return d.acknowledgedAt ? { tone: 'success', text: 'Merci, votre prise de connaissance est enregistrée.' } : undefined;
  }
  switch (d.status) {
    case 'cancelled':
      return d.cancelReason === 'patient_choice'
        ? { tone: 'success', text: 'Votre choix est enregistré : votre carte ne sera pas débitée.' }
        : undefined;
    case 'completing':
      return {
        tone: 'warning',
        text:
          `Votre choix arrive trop tard : le débit de votre carte est en cours` +
          `${d.completionStartedAt ? ` depuis le ${frenchDate(d.completionStartedAt)}` : ''} et ne peut plus être annulé. ` +
          'Pour toute question, contactez la régie de l’établissement.',
      };
    case 'completed':
      return {
        tone: 'warning',
        text:
          `Votre choix arrive trop tard : le paiement a déjà été effectué par votre carte bancaire` +
          `${d.completedAt ? ` le ${frenchDate(d.completedAt)}` : ''}. Pour toute question, contactez la régie de l’établissement.`,
      };
    default:
      return undefined;
  }
}
