import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put, Query, UseInterceptors } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Clock } from '@diapason/domain';
import { InjectClock } from '@diapason/config';
import type { ApiKeyPrincipal } from '@diapason/persistence';
import { GapApi, Principal } from '../common/auth';
import { IdempotencyInterceptor } from '../common/idempotency.interceptor';
import { ApiProblems, IdempotencyKeyHeader, JSON_BODY_PROBLEMS } from '../common/openapi';
import { CreateTerminalDto } from './dto/create-terminal.dto';
import { ListTerminalsQuery } from './dto/list-terminals.query';
import { UpdateTerminalDto } from './dto/update-terminal.dto';
import { TerminalCheckReportView, TerminalListView, TerminalView, toTerminalView } from './terminal.view';
import { CheckTerminal } from './usecases/check-terminal';
import { EditTerminal } from './usecases/edit-terminal';
import { FindTerminal } from './usecases/find-terminal';
import { ListTerminals } from './usecases/list-terminals';
import { RegisterTerminal } from './usecases/register-terminal';
import { RetireTerminal } from './usecases/retire-terminal';

const NOT_FOUND = { status: 404, description: '`terminal_not_found` : aucun terminal en service de cet identifiant pour l’établissement.' };
const ADDRESS_NOT_ALLOWED = {
  status: 422,
  description:
    '`terminal_address_not_allowed` : adresse hors des réseaux autorisés (DIAPASON_TERMINAL_ALLOWED_NETWORKS), nom d’hôte qui ne s’y résout pas, ' +
    'ou port série hors de DIAPASON_SERIAL_DEVICES (champ `transportUrl` dans `errors`). Rien n’est tenté vers une adresse refusée.',
};
const ADDRESS_IN_USE =
  '`terminal_address_in_use` : l’adresse est celle d’un autre terminal en service (un terminal physique n’appartient qu’à une déclaration, tous établissements confondus)';
const BUSY = '`terminal_busy` : une transaction est en cours sur le terminal';

@ApiTags('Terminaux')
@GapApi('terminals')
@Controller('v1/terminals')
@UseInterceptors(IdempotencyInterceptor)
export class TerminalsController {
  constructor(
    private readonly registerTerminal: RegisterTerminal,
    private readonly editTerminal: EditTerminal,
    private readonly retireTerminal: RetireTerminal,
    private readonly findTerminal: FindTerminal,
    private readonly listTerminals: ListTerminals,
    private readonly checkTerminal: CheckTerminal,
    @InjectClock() private readonly clock: Clock,
  ) {}

  @Post()
  @ApiOperation({ operationId: 'createTerminal', summary: 'Déclarer un terminal (ICT250 ou iWL280) et sa liaison' })
  @IdempotencyKeyHeader()
  @ApiCreatedResponse({ type: TerminalView })
  @ApiProblems(...JSON_BODY_PROBLEMS, ADDRESS_NOT_ALLOWED, {
    status: 409,
    description: `\`terminal_exists\` : identifiant déjà utilisé par un terminal en service de l’établissement ; ${ADDRESS_IN_USE}.`,
  })
  async create(@Principal() principal: ApiKeyPrincipal, @Body() body: CreateTerminalDto): Promise<TerminalView> {
    return toTerminalView(await this.registerTerminal.execute(principal, body), this.clock.now());
  }

  @Get()
  @ApiOperation({
    operationId: 'listTerminals',
    summary: 'Terminaux en service de l’établissement et leur état (les retirés avec includeRetired=true)',
  })
  @ApiOkResponse({ type: TerminalListView })
  @ApiProblems({ status: 400, description: '`validation_failed` : paramètre invalide ou inconnu (détail dans `errors`).' })
  async list(@Principal() principal: ApiKeyPrincipal, @Query() query: ListTerminalsQuery): Promise<TerminalListView> {
    const now = this.clock.now();
    const terminals = await this.listTerminals.execute(principal, { includeRetired: query.includeRetired === 'true' });
    return { data: terminals.map((t) => toTerminalView(t, now)) };
  }

  @Get(':id')
  @ApiOperation({ operationId: 'getTerminal', summary: 'Un terminal et son état (dernier contact, dernière erreur)' })
  @ApiOkResponse({ type: TerminalView })
  @ApiProblems(NOT_FOUND)
  async get(@Principal() principal: ApiKeyPrincipal, @Param('id') id: string): Promise<TerminalView> {
    return toTerminalView(await this.findTerminal.execute(principal, id), this.clock.now());
  }

  @Put(':id')
  @ApiOperation({
    operationId: 'updateTerminal',
    summary: 'Modifier un terminal (libellé, modèle, régie, liaison)',
    description:
      'Remplace ce qui est déclaré du terminal, sauf son identifiant, avec les mêmes règles que la déclaration. ' +
      'Un changement d’adresse efface l’état de santé de l’ancienne liaison. Refusé pendant une transaction sur le terminal.',
  })
  @ApiOkResponse({ type: TerminalView })
  @ApiProblems(...JSON_BODY_PROBLEMS, NOT_FOUND, ADDRESS_NOT_ALLOWED, { status: 409, description: `${BUSY} ; ${ADDRESS_IN_USE}.` })
  async update(@Principal() principal: ApiKeyPrincipal, @Param('id') id: string, @Body() body: UpdateTerminalDto): Promise<TerminalView> {
    return toTerminalView(await this.editTerminal.execute(principal, id, body), this.clock.now());
  }

  @Delete(':id')
  @ApiOperation({
    operationId: 'retireTerminal',
    summary: 'Retirer un terminal du service',
    description:
      'Le terminal n’est plus utilisable pour une empreinte ni listé par défaut ; son historique reste, son adresse et son identifiant ' +
      'redeviennent libres pour une nouvelle déclaration. Refusé pendant une transaction sur le terminal.',
  })
  @ApiOkResponse({ type: TerminalView, description: 'Le terminal retiré (`status: retired`).' })
  @ApiProblems(NOT_FOUND, { status: 409, description: `${BUSY}.` })
  async retire(@Principal() principal: ApiKeyPrincipal, @Param('id') id: string): Promise<TerminalView> {
    return toTerminalView(await this.retireTerminal.execute(principal, id), this.clock.now());
  }

  @Post(':id/check')
  @HttpCode(200)
  @ApiOperation({
    operationId: 'checkTerminal',
    summary: 'Vérifier un terminal (déploiement, panne)',
    description:
      'Ouvre la liaison et demande la dernière transaction au terminal : aucun mouvement d’argent. Rapport en français ; ' +
      'un terminal injoignable donne un rapport `ok: false` avec ses causes probables, pas une erreur. La réponse arrive en 15 s au plus ' +
      '(DIAPASON_TERMINAL_CHECK_TIMEOUT) ; une adresse hors des réseaux ou ports autorisés est refusée sans connexion.',
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
