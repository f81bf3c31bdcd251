import { Injectable } from '@nestjs/common';
import type { Clock } from '@diapason/domain';
import { InjectClock } from '@diapason/config';
import { DossierLifecycle } from '@diapason/lifecycle';
import type { ResolvedLink } from './resolve-patient-link';
import { pageState } from './present-patient-page';

/** « Payer autrement »: the patient cancels the debit while it is still theirs to cancel. */
@Injectable()
export class ChooseOtherPayment {
  constructor(
    private readonly lifecycle: DossierLifecycle,
    @InjectClock() private readonly clock: Clock,
  ) {}

  async execute({ dossier }: ResolvedLink): Promise<void> {
    if (pageState(dossier) !== 'open') return;
    await this.lifecycle.cancel({
      establishmentId: dossier.establishmentId,
      dossierId: dossier.id,
      actor: { type: 'patient', id: null },
      facts: { at: this.clock.now(), reason: 'patient_choice' },
    });
  }
}
