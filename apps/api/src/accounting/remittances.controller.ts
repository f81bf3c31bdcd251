import { Body, Controller, Get, Post, Query, Res } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import type { ApiKeyPrincipal } from '@diapason/persistence';
import { GapApi, Principal } from '../common/auth';
import { ApiProblems, JSON_BODY_PROBLEMS } from '../common/openapi';
import { RemittanceListView, RemittanceUploadView, toRemittanceView } from './accounting.views';
import { RemittanceListQuery, RemittanceUploadDto } from './dto/remittance.dto';
import { Remittances } from './usecases/remittances';

@ApiTags('Comptabilité')
@GapApi('accounting')
@Controller('v1/remittances')
export class RemittancesController {
  constructor(private readonly remittances: Remittances) {}

  @Post()
  @ApiOperation({
    operationId: 'uploadRemittances',
    summary: 'Déposer les remises de l’acquéreur (une par contrat et par jour de règlement, avec leurs débits)',
    description:
      'Chaque débit est relié à sa ligne du journal par la référence de transaction de l’acquéreur ; une remise dont les débits ne font pas ' +
      'le total est signalée (`flagged`). Une remise déjà connue (même contrat, même jour) reste inchangée. Les comptes de règlement sont ' +
      'rapprochés de nouveau.',
  })
  @ApiCreatedResponse({ type: RemittanceUploadView, description: 'Au moins une remise nouvelle.' })
  @ApiOkResponse({ type: RemittanceUploadView, description: 'Toutes les remises étaient déjà connues.' })
  @ApiProblems(...JSON_BODY_PROBLEMS, {
    status: 422,
    description: '`unknown_merchant_contract` : contrat inconnu de l’établissement ; `invalid_date` : date inexistante (champ dans `errors`).',
  })
  async upload(
    @Principal() principal: ApiKeyPrincipal,
    @Body() body: RemittanceUploadDto,
    @Res({ passthrough: true }) response: Response,
  ): Promise<RemittanceUploadView> {
    const outcome = await this.remittances.upload(principal, body);
    response.status(outcome.imported > 0 ? 201 : 200);
    return { imported: outcome.imported, alreadyKnown: outcome.alreadyKnown, data: outcome.data.map(toRemittanceView) };
  }

  @Get()
  @ApiOperation({ operationId: 'listRemittances', summary: 'Remises de l’acquéreur, par contrat et jour de règlement' })
  @ApiOkResponse({ type: RemittanceListView })
  @ApiProblems(
    { status: 400, description: '`validation_failed` : paramètre invalide ou inconnu (détail dans `errors`).' },
    { status: 404, description: '`merchant_contract_not_found` : contrat filtré inconnu.' },
  )
  async list(@Principal() principal: ApiKeyPrincipal, @Query() query: RemittanceListQuery): Promise<RemittanceListView> {
    return { data: (await this.remittances.list(principal, query)).map(toRemittanceView) };
  }
}
