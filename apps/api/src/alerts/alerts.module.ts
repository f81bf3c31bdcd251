import { Module } from '@nestjs/common';
import { AlertsController } from './alerts.controller';
import { ListAlerts } from './usecases/list-alerts';

@Module({ controllers: [AlertsController], providers: [ListAlerts] })
export class AlertsModule {}
