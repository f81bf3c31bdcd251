import { Body, Controller, Get, Param, Put } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { ApiKeyPrincipal } from '@diapason/persistence';
import { GapApi, Principal } from '../common/auth';
import { ApiProblems, JSON_BODY_PROBLEMS } from '../common/openapi';
import { RegieDto } from './dto/regie.dto';
import { RegieListView, RegieView, toRegieView } from './regie.view';
import { ListRegies } from './usecases/list-regies';
import { UpsertRegie } from './usecases/upsert-regie';

/** Régies are registered by the first dossier naming them; their contact details appear in notices. */
@ApiTags('Régies')
@GapApi('dossiers')
@Controller('v1/regies')
export class RegiesController {
  constructor(
    private readonly listRegies: ListRegies,
    private readonly upsertRegie: UpsertRegie,
  ) {}

  @Get()
  @ApiOperation({ operationId: 'listRegies', summary: 'Lister les régies de l’établissement' })
  @ApiOkResponse({ type: RegieListView })
  async list(@Principal() principal: ApiKeyPrincipal): Promise<RegieListView> {
    return { data: (await this.listRegies.execute(principal)).map(toRegieView) };
  }

  @Put(':code')
  @ApiOperation({ operationId: 'upsertRegie', summary: 'Créer ou compléter une régie (nom et coordonnées montrés au patient)' })
  @ApiOkResponse({ type: RegieView })
  @ApiProblems(...JSON_BODY_PROBLEMS, {
    status: 422,
    description: '`unknown_bank_account` : dftAccountId ne désigne aucun compte de l’établissement (champ dans `errors`).',
  })
  async upsert(@Principal() principal: ApiKeyPrincipal, @Param('code') code: string, @Body() body: RegieDto): Promise<RegieView> {
    return toRegieView(await this.upsertRegie.execute(principal, code, body));
  }
}
