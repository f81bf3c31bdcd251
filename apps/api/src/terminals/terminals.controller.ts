import { Body, Controller, Get, HttpCode, Param, Post, UseInterceptors } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Clock } from '@diapason/domain';
import { InjectClock } from '@diapason/config';
import type { ApiKeyPrincipal } from '@diapason/persistence';
import { GapApi, Principal } from '../common/auth';
import { IdempotencyInterceptor } from '../common/idempotency.interceptor';
import { ApiProblems, IdempotencyKeyHeader, JSON_BODY_PROBLEMS } from '../common/openapi';
import { CreateTerminalDto } from './dto/create-terminal.dto';
import { TerminalCheckReportView, TerminalListView, TerminalView, toTerminalView } from './terminal.view';
import { CheckTerminal } from './usecases/check-terminal';
import { FindTerminal } from './usecases/find-terminal';
import { ListTerminals } from './usecases/list-terminals';
import { RegisterTerminal } from './usecases/register-terminal';

const NOT_FOUND = { status: 404, description: '`terminal_not_found` : aucun terminal de cet identifiant pour l’établissement.' };

@ApiTags('Terminaux')
@GapApi('terminals')
@Controller('v1/terminals')
@UseInterceptors(IdempotencyInterceptor)
export class TerminalsController {
  constructor(
    private readonly registerTerminal: RegisterTerminal,
    private readonly findTerminal: FindTerminal,
    private readonly listTerminals: ListTerminals,
    private readonly checkTerminal: CheckTerminal,
    @InjectClock() private readonly clock: Clock,
  ) {}

  @Post()
  @ApiOperation({ operationId: 'createTerminal', summary: 'Déclarer un terminal (ICT250 ou iWL280) et sa liaison' })
  @IdempotencyKeyHeader()
  @ApiCreatedResponse({ type: TerminalView })
  @ApiProblems(...JSON_BODY_PROBLEMS, { status: 409, description: '`terminal_exists` : identifiant déjà utilisé par l’établissement.' })
  async create(@Principal() principal: ApiKeyPrincipal, @Body() body: CreateTerminalDto): Promise<TerminalView> {
    return toTerminalView(await this.registerTerminal.execute(principal, body), this.clock.now());
  }

  @Get()
  @ApiOperation({ operationId: 'listTerminals', summary: 'Terminaux de l’établissement et leur état' })
  @ApiOkResponse({ type: TerminalListView })
  async list(@Principal() principal: ApiKeyPrincipal): Promise<TerminalListView> {
    const now = this.clock.now();
    return { data: (await this.listTerminals.execute(principal)).map((t) => toTerminalView(t, now)) };
  }

  @Get(':id')
  @ApiOperation({ operationId: 'getTerminal', summary: 'Un terminal et son état (dernier contact, dernière erreur)' })
  @ApiOkResponse({ type: TerminalView })
  @ApiProblems(NOT_FOUND)
  async get(@Principal() principal: ApiKeyPrincipal, @Param('id') id: string): Promise<TerminalView> {
    return toTerminalView(await this.findTerminal.execute(principal, id), this.clock.now());
  }

  @Post(':id/check')
  @HttpCode(200)
  @ApiOperation({
    operationId: 'checkTerminal',
    summary: 'Vérifier un terminal (déploiement, panne)',
    description:
      'Ouvre la liaison et demande la dernière transaction au terminal : aucun mouvement d’argent. Rapport en français ; ' +
      'un terminal injoignable donne un rapport `ok: false` avec ses causes probables, pas une erreur.',
  })
  @IdempotencyKeyHeader()
  @ApiOkResponse({ type: TerminalCheckReportView })
  @ApiProblems(NOT_FOUND, {
    status: 409,
    description: '`terminal_on_other_host` : le terminal est relié à un autre poste ; la vérification se lance sur ce poste.',
  })
  runCheck(@Principal() principal: ApiKeyPrincipal, @Param('id') id: string): Promise<TerminalCheckReportView> {
    return this.checkTerminal.execute(principal, id);
  }
}
