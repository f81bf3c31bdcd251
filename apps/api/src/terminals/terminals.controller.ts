import { Body, Controller, Get, HttpCode, Param, Post, UseInterceptors } from '@nestjs/common';
import { ApiConflictResponse, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Clock } from '@diapason/domain';
import { InjectClock } from '@diapason/config';
import type { ApiKeyPrincipal } from '@diapason/persistence';
import type { CheckReport } from '@diapason/terminal-bridge';
import { GapApi, Principal } from '../common/auth';
import { IdempotencyInterceptor } from '../common/idempotency.interceptor';
import { CreateTerminalDto } from './dto/create-terminal.dto';
import { TerminalListView, TerminalView, toTerminalView } from './terminal.view';
import { CheckTerminal } from './usecases/check-terminal';
import { FindTerminal } from './usecases/find-terminal';
import { ListTerminals } from './usecases/list-terminals';
import { RegisterTerminal } from './usecases/register-terminal';

@ApiTags('Terminaux')
@GapApi()
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
  @ApiOperation({ summary: 'Déclarer un terminal (ICT250 ou iWL280) et sa liaison' })
  @ApiCreatedResponse({ type: TerminalView })
  @ApiConflictResponse({ description: 'Identifiant déjà utilisé.' })
  async create(@Principal() principal: ApiKeyPrincipal, @Body() body: CreateTerminalDto): Promise<TerminalView> {
    return toTerminalView(await this.registerTerminal.execute(principal, body), this.clock.now());
  }

  @Get()
  @ApiOperation({ summary: 'Terminaux de l’établissement et leur état' })
  @ApiOkResponse({ type: TerminalListView })
  async list(@Principal() principal: ApiKeyPrincipal): Promise<TerminalListView> {
    const now = this.clock.now();
    return { data: (await this.listTerminals.execute(principal)).map((t) => toTerminalView(t, now)) };
  }

  @Get(':id')
  @ApiOperation({ summary: 'Un terminal et son état (dernier contact, dernière erreur)' })
  @ApiOkResponse({ type: TerminalView })
  async get(@Principal() principal: ApiKeyPrincipal, @Param('id') id: string): Promise<TerminalView> {
    return toTerminalView(await this.findTerminal.execute(principal, id), this.clock.now());
  }

  @Post(':id/check')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Vérifier un terminal (déploiement, panne)',
    description: 'Ouvre la liaison et demande la dernière transaction au terminal : aucun mouvement d’argent. Rapport en français.',
  })
  runCheck(@Principal() principal: ApiKeyPrincipal, @Param('id') id: string): Promise<CheckReport> {
    return this.checkTerminal.execute(principal, id);
  }
}
