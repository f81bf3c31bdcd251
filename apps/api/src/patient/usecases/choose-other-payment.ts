import { Injectable } from '@nestjs/common';
import type { Clock } from '@diapason/domain';
import { InvalidTransitionError } from '@diapason/domain';
import { InjectClock } from '@diapason/config';
import { DossierLifecycle } from '@diapason/lifecycle';
import type { ResolvedLink } from './resolve-patient-link';
import { canPayOtherwise } from './present-patient-page';

/**
 * « Payer autrement »: the patient cancels the debit while it is still theirs to cancel. Once the
 * debit has been sent (`completing`) or done, or the dossier closed, nothing changes: the page, read
 * again after the redirect, says what happened instead.
 */
@Injectable()
export class ChooseOtherPayment {
  constructor(
    private readonly lifecycle: DossierLifecycle,
    @InjectClock() private readonly clock: Clock,
  ) {}

  async execute({ dossier }: ResolvedLink): Promise<'cancelled' | 'too_late'> {
    if (!canPayOtherwise(dossier)) return 'too_late';
    try {
      // The lifecycle locks the dossier and checks the transition table again: a debit started
      // between the page and the click wins, and the patient is told so.
      await this.lifecycle.cancel({
        establishmentId: dossier.establishmentId,
        dossierId: dossier.id,
        actor: { type: 'patient', id: null },
        facts: { at: this.clock.now(), reason: 'patient_choice' },
      });
      return 'cancelled';
    } catch (error) {
      if (error instanceof InvalidTransitionError) return 'too_late';
      throw error;
    }
  }
}
