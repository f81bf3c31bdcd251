import { Injectable } from '@nestjs/common';
import { AlertRepository, AlertRow, ApiKeyPrincipal } from '@diapason/persistence';
import { Page, keysetPage } from '../../common/paging';
import { ListAlertsQuery } from '../dto/list-alerts.query';

@Injectable()
export class ListAlerts {
  constructor(private readonly alerts: AlertRepository) {}

  execute(principal: ApiKeyPrincipal, query: ListAlertsQuery): Promise<Page<AlertRow>> {
    return keysetPage(query, (beforeId, limit) => this.alerts.list(principal.establishmentId, { beforeId, limit, dossierId: query.dossierId }));
  }
}
