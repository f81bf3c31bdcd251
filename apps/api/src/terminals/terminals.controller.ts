import { Body, Controller, Get, HttpCode, Param, Post, UseInterceptors } from '@nestjs/common';
import { ApiConflictResponse, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiProperty, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsIn, IsNotEmpty, IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import type { Clock } from '@diapason/domain';
import { DomainError } from '@diapason/domain';
import type { DiapasonConfig } from '@diapason/config';
import { InjectClock, InjectConfig } from '@diapason/config';
import type { ApiKeyPrincipal, TerminalEntity } from '@diapason/persistence';
import { EstablishmentRepository, TerminalRepository, TransactionContext, newTerminal } from '@diapason/persistence';
import type { CheckReport, TerminalModel } from '@diapason/terminal-bridge';
import { PROFILES, ProtocolError, TERMINAL_MODELS, TerminalCheck, parseTransportUrl } from '@diapason/terminal-bridge';
import { v7 as uuidv7 } from 'uuid';
import { GapApi, Principal } from '../common/gap-auth';
import { IdempotencyInterceptor } from '../common/idempotency.interceptor';
import { ProblemException } from '../common/problem';

const trim = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);

export class CreateTerminalDto {
  @ApiProperty({ example: 'TPE-ACCUEIL-1', description: 'Identifiant choisi par l’établissement.' })
  @IsString()
  @Matches(/^[A-Za-z0-9][A-Za-z0-9._\-]{0,63}$/)
  id!: string;

  @ApiProperty({ example: 'Accueil des admissions, guichet 1' })
  @Transform(trim)
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  label!: string;

  @ApiProperty({ enum: TERMINAL_MODELS })
  @IsIn(TERMINAL_MODELS)
  model!: TerminalModel;

  @ApiProperty({ example: 'REGIE-01' })
  @IsString()
  @Matches(/^[A-Za-z0-9][A-Za-z0-9._\-]{0,31}$/)
  regieCode!: string;

  @ApiProperty({ example: 'tcp://10.12.0.31:8888', description: 'serial:///dev/ttyACM0?baudRate=9600 (Concert V2) ou tcp://hôte:8888 (Concert V3).' })
  @IsString()
  @MaxLength(500)
  transportUrl!: string;

  @ApiPropertyOptional({ description: 'Poste auquel le terminal est relié (liaison série) ; absent pour un terminal IP.' })
  @IsOptional()
  @IsString()
  @Matches(/^[A-Za-z0-9][A-Za-z0-9._\-]{0,99}$/)
  bridgeHost?: string;
}

class TerminalHealthView {
  @ApiProperty({ enum: ['ok', 'error', 'unknown'] }) status!: 'ok' | 'error' | 'unknown';
  @ApiProperty({ nullable: true }) lastSeenAt!: Date | null;
  @ApiProperty({ nullable: true }) lastLatencyMs!: number | null;
  @ApiProperty({ nullable: true }) lastError!: string | null;
  @ApiProperty({ nullable: true }) lastErrorAt!: Date | null;
  @ApiProperty({ description: 'Une transaction est en cours.' }) busy!: boolean;
}

export class TerminalView {
  @ApiProperty() id!: string;
  @ApiProperty({ example: 'terminal' }) object!: 'terminal';
  @ApiProperty() label!: string;
  @ApiProperty({ enum: TERMINAL_MODELS }) model!: string;
  @ApiProperty() regieCode!: string;
  @ApiProperty() transportUrl!: string;
  @ApiProperty({ nullable: true }) bridgeHost!: string | null;
  @ApiProperty({ description: 'Numéros ITP PLBS du modèle.' }) itp!: { acceptanceServer: string; acceptancePoint: string };
  @ApiProperty({ type: TerminalHealthView }) health!: TerminalHealthView;
  @ApiProperty() createdAt!: Date;
}

export function toTerminalView(t: TerminalEntity, now: Date): TerminalView {
  const itp = PROFILES[t.model].itp;
  const errorIsLatest = t.lastErrorAt && (!t.lastSeenAt || t.lastErrorAt >= t.lastSeenAt);
  return {
    id: t.code,
    object: 'terminal',
    label: t.label,
    model: t.model,
    regieCode: t.regieCode,
    transportUrl: t.transportUrl,
    bridgeHost: t.bridgeHost,
    itp: { acceptanceServer: itp.acceptanceServer.plbs, acceptancePoint: itp.acceptancePoint.plbs },
    health: {
      status: errorIsLatest ? 'error' : t.lastSeenAt ? 'ok' : 'unknown',
      lastSeenAt: t.lastSeenAt,
      lastLatencyMs: t.lastLatencyMs,
      lastError: t.lastError,
      lastErrorAt: t.lastErrorAt,
      busy: t.busyUntil !== null && t.busyUntil > now,
    },
    createdAt: t.createdAt,
  };
}

@ApiTags('Terminaux')
@GapApi()
@Controller('v1/terminals')
@UseInterceptors(IdempotencyInterceptor)
export class TerminalsController {
  constructor(
    private readonly tx: TransactionContext,
    private readonly terminals: TerminalRepository,
    private readonly establishments: EstablishmentRepository,
    private readonly check: TerminalCheck,
    @InjectClock() private readonly clock: Clock,
    @InjectConfig() private readonly config: DiapasonConfig,
  ) {}

  @Post()
  @ApiOperation({ summary: 'Déclarer un terminal (ICT250 ou iWL280) et sa liaison' })
  @ApiCreatedResponse({ type: TerminalView })
  @ApiConflictResponse({ description: 'Identifiant déjà utilisé.' })
  async create(@Principal() principal: ApiKeyPrincipal, @Body() body: CreateTerminalDto): Promise<TerminalView> {
    try {
      parseTransportUrl(body.transportUrl);
    } catch (error) {
      if (!(error instanceof ProtocolError)) throw error;
      throw new ProblemException(400, 'validation_failed', `Adresse du terminal invalide : ${error.message}`, {
        errors: [{ field: 'transportUrl', message: error.message }],
      });
    }
    return this.tx.run(async () => {
      if (await this.terminals.findByCode(principal.establishmentId, body.id)) {
        throw new DomainError('conflict', 'terminal_exists', `Le terminal ${body.id} existe déjà.`);
      }
      const now = this.clock.now();
      const regieId = await this.establishments.ensureRegie(principal.establishmentId, body.regieCode);
      const terminal = newTerminal(
        {
          id: uuidv7(),
          establishmentId: principal.establishmentId,
          code: body.id,
          label: body.label,
          model: body.model,
          regieId,
          regieCode: body.regieCode,
          transportUrl: body.transportUrl,
          bridgeHost: body.bridgeHost ?? null,
        },
        now,
      );
      await this.terminals.create(terminal);
      return toTerminalView(terminal, now);
    });
  }

  @Get()
  @ApiOperation({ summary: 'Terminaux de l’établissement et leur état' })
  @ApiOkResponse({ type: [TerminalView] })
  async list(@Principal() principal: ApiKeyPrincipal): Promise<{ data: TerminalView[] }> {
    const now = this.clock.now();
    return { data: (await this.terminals.list(principal.establishmentId)).map((t) => toTerminalView(t, now)) };
  }

  @Get(':id')
  @ApiOperation({ summary: 'Un terminal et son état (dernier contact, dernière erreur)' })
  @ApiOkResponse({ type: TerminalView })
  async get(@Principal() principal: ApiKeyPrincipal, @Param('id') id: string): Promise<TerminalView> {
    return toTerminalView(await this.find(principal, id), this.clock.now());
  }

  @Post(':id/check')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Vérifier un terminal (déploiement, panne)',
    description: 'Ouvre la liaison et demande la dernière transaction au terminal : aucun mouvement d’argent. Rapport en français.',
  })
  async runCheck(@Principal() principal: ApiKeyPrincipal, @Param('id') id: string): Promise<CheckReport> {
    const terminal = await this.find(principal, id);
    if (terminal.bridgeHost && terminal.bridgeHost !== this.config.terminals.bridgeHost) {
      throw new DomainError(
        'conflict',
        'terminal_on_other_host',
        `Ce terminal est relié au poste ${terminal.bridgeHost} : lancez la vérification sur ce poste (npm run cli -- terminal:check ${terminal.code}).`,
      );
    }
    return this.check.run(terminal);
  }

  private async find(principal: ApiKeyPrincipal, id: string): Promise<TerminalEntity> {
    const terminal = await this.terminals.findByCode(principal.establishmentId, id);
    if (!terminal) throw new DomainError('not_found', 'terminal_not_found', `Aucun terminal ${id} pour cet établissement.`);
    return terminal;
  }
}
