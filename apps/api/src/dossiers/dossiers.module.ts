import { Module } from '@nestjs/common';
import { DossiersController } from './dossiers.controller';
import { CancelDossier } from './usecases/cancel-dossier';
import { CreateDossier } from './usecases/create-dossier';
import { FindDossier } from './usecases/find-dossier';
import { ListDossierEvents } from './usecases/list-dossier-events';
import { ListDossiers } from './usecases/list-dossiers';
import { RequestPayment } from './usecases/request-payment';
import { RequestImprint } from './usecases/request-imprint';
import { DossierPresenter } from './dossier-presenter';

@Module({
  controllers: [DossiersController],
  providers: [CreateDossier, FindDossier, ListDossiers, ListDossierEvents, RequestPayment, CancelDossier, RequestImprint, DossierPresenter],
  exports: [FindDossier, DossierPresenter],
})
export class DossiersModule {}
