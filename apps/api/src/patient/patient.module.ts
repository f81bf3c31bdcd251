import { Module } from '@nestjs/common';
import { PatientPageController } from './patient-page.controller';
import { ChooseOtherPayment } from './usecases/choose-other-payment';
import { PresentPatientPage } from './usecases/present-patient-page';
import { RecordLinkEvidence } from './usecases/record-link-evidence';
import { ResolvePatientLink } from './usecases/resolve-patient-link';

@Module({
  controllers: [PatientPageController],
  providers: [ResolvePatientLink, PresentPatientPage, RecordLinkEvidence, ChooseOtherPayment],
})
export class PatientModule {}
