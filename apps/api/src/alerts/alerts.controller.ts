import { Controller, Get, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { ApiKeyPrincipal } from '@diapason/persistence';
import { GapApi, Principal } from '../common/auth';
import { ApiProblems } from '../common/openapi';
import { AlertPageView, toAlertView } from './alert.view';
import { ListAlertsQuery } from './dto/list-alerts.query';
import { ListAlerts } from './usecases/list-alerts';

@ApiTags('Alertes')
@GapApi('dossiers')
@Controller('v1/alerts')
export class AlertsController {
  constructor(private readonly listAlerts: ListAlerts) {}

  @Get()
  @ApiOperation({
    operationId: 'listAlerts',
    summary: 'Alertes de l’établissement, de la plus récente à la plus ancienne',
    description: '`dossier.deadline_approaching` : une empreinte expire bientôt sans demande de paiement ou sans accusé de réception.',
  })
  @ApiOkResponse({ type: AlertPageView })
  @ApiProblems({ status: 400, description: '`validation_failed` : paramètre invalide ou inconnu (détail dans `errors`) ; `invalid_cursor`.' })
  async list(@Principal() principal: ApiKeyPrincipal, @Query() query: ListAlertsQuery): Promise<AlertPageView> {
    const page = await this.listAlerts.execute(principal, query);
    return { data: page.data.map(toAlertView), nextCursor: page.nextCursor };
  }
}
