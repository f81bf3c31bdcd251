import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { ApiKeyPrincipal } from '@diapason/persistence';
import { GapApi, Principal } from '../common/auth';
import { ApiProblems, JSON_BODY_PROBLEMS } from '../common/openapi';
import { MatchView, ReconciliationView } from './accounting.views';
import { ManualMatchDto, ReconciliationQuery, UnmatchDto } from './dto/remittance.dto';
import { Reconciliation } from './usecases/reconciliation';

@ApiTags('Comptabilité')
@GapApi('accounting')
@Controller('v1/reconciliation')
export class ReconciliationController {
  constructor(private readonly reconciliation: Reconciliation) {}

  @Get()
  @ApiOperation({
    operationId: 'getReconciliation',
    summary: 'Rapprochement d’un compte : crédits du relevé ↔ remises ↔ débits ↔ dossiers',
    description:
      'Ce qui est rapproché (avec l’exercice de l’arrêté annuel : l’année du crédit), chaque crédit du relevé sans remise, chaque remise non ' +
      'créditée après sa date attendue (3 jours ouvrés après le règlement) ou encore dans son délai, chaque écart de montant, et chaque remise ' +
      'dont les débits ne font pas le total ou manquent au journal. `from` et `to` bornent les dates de crédit, de relevé et de règlement.',
  })
  @ApiOkResponse({ type: ReconciliationView })
  @ApiProblems(
    { status: 400, description: '`validation_failed` : paramètre invalide ou inconnu (détail dans `errors`).' },
    { status: 404, description: '`bank_account_not_found` : compte inconnu de l’établissement.' },
  )
  get(@Principal() principal: ApiKeyPrincipal, @Query() query: ReconciliationQuery): Promise<ReconciliationView> {
    return this.reconciliation.report(principal, query);
  }

  @Post('matches')
  @ApiOperation({ operationId: 'matchManually', summary: 'Rapprocher à la main une remise et un crédit du relevé, avec la raison' })
  @ApiCreatedResponse({ type: MatchView })
  @ApiProblems(
    ...JSON_BODY_PROBLEMS,
    { status: 404, description: '`remittance_not_found`, `statement_line_not_found` : inconnue de l’établissement.' },
    { status: 409, description: '`already_matched` : la remise ou la ligne est déjà rapprochée.' },
    { status: 422, description: '`account_mismatch` : la ligne n’est pas au relevé du compte de règlement de la remise.' },
  )
  match(@Principal() principal: ApiKeyPrincipal, @Body() body: ManualMatchDto): Promise<MatchView> {
    return this.reconciliation.match(principal, body);
  }

  @Post('matches/:id/unmatch')
  @HttpCode(200)
  @ApiOperation({
    operationId: 'unmatch',
    summary: 'Défaire un rapprochement, avec la raison',
    description: 'La paire défaite n’est plus jamais rapprochée automatiquement ; qui, quand et pourquoi sont consignés.',
  })
  @ApiOkResponse({ type: MatchView, description: 'Le rapprochement défait.' })
  @ApiProblems(...JSON_BODY_PROBLEMS, { status: 404, description: '`match_not_found` : aucun rapprochement de cet identifiant.' })
  unmatch(@Principal() principal: ApiKeyPrincipal, @Param('id') id: string, @Body() body: UnmatchDto): Promise<MatchView> {
    return this.reconciliation.unmatch(principal, id, body.reason);
  }
}
