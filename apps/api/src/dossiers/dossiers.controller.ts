import { Body, Controller, Get, HttpCode, Param, Post, Query, UseInterceptors } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiHeader,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
import type { ApiKeyPrincipal } from '@diapason/persistence';
import { GapApi, Principal } from '../common/auth';
import { IdempotencyInterceptor } from '../common/idempotency.interceptor';
import { DossierPresenter } from './dossier-presenter';
import { RequestImprintDto } from './dto/request-imprint.dto';
import { RequestImprint } from './usecases/request-imprint';
import {
  ImprintAttemptListView,
  ImprintAttemptView,
  toImprintAttemptView,
  DossierEventListView,
  DossierPageView,
  DossierView,
  DossierWithWarningsView,
  toDossierEventView,
  toDossierView,
} from './dossier.view';
import { CancelDossierDto } from './dto/cancel-dossier.dto';
import { CreateDossierDto } from './dto/create-dossier.dto';
import { ListDossiersQuery } from './dto/list-dossiers.query';
import { RequestPaymentDto } from './dto/request-payment.dto';
import { CancelDossier } from './usecases/cancel-dossier';
import { CreateDossier } from './usecases/create-dossier';
import { FindDossier } from './usecases/find-dossier';
import { ListDossierEvents } from './usecases/list-dossier-events';
import { ListDossiers } from './usecases/list-dossiers';
import { RequestPayment } from './usecases/request-payment';

export const IdempotencyKeyHeader = () =>
  ApiHeader({
    name: 'Idempotency-Key',
    required: false,
    description:
      'Clé choisie par la GAP (1 à 255 caractères). Rejouer la même requête avec la même clé renvoie la première réponse ; ' +
      'la même clé avec un autre corps est refusée (422).',
  });

@ApiTags('Dossiers')
@GapApi()
@Controller('v1/dossiers')
@UseInterceptors(IdempotencyInterceptor)
export class DossiersController {
  constructor(
    private readonly createDossier: CreateDossier,
    private readonly findDossier: FindDossier,
    private readonly listDossiers: ListDossiers,
    private readonly requestPayment: RequestPayment,
    private readonly cancelDossier: CancelDossier,
    private readonly listDossierEvents: ListDossierEvents,
    private readonly presenter: DossierPresenter,
    private readonly requestImprint: RequestImprint,
  ) {}

  @Post()
  @ApiOperation({ summary: 'Ouvrir un dossier DIAPASON pour un séjour' })
  @IdempotencyKeyHeader()
  @ApiCreatedResponse({ type: DossierView })
  @ApiConflictResponse({ description: 'Un dossier est déjà en cours pour ce numéro de dossier GAP.' })
  async create(@Principal() principal: ApiKeyPrincipal, @Body() body: CreateDossierDto): Promise<DossierView> {
    return toDossierView(await this.createDossier.execute(principal, body));
  }

  @Get()
  @ApiOperation({ summary: 'Lister les dossiers, du plus récent au plus ancien' })
  @ApiOkResponse({ type: DossierPageView })
  async list(@Principal() principal: ApiKeyPrincipal, @Query() query: ListDossiersQuery): Promise<DossierPageView> {
    const page = await this.listDossiers.execute(principal, query);
    return { data: await this.presenter.many(page.data), nextCursor: page.nextCursor };
  }

  @Get(':id')
  @ApiOperation({ summary: 'Lire un dossier' })
  @ApiOkResponse({ type: DossierView })
  @ApiNotFoundResponse()
  async get(@Principal() principal: ApiKeyPrincipal, @Param('id') id: string): Promise<DossierView> {
    return this.presenter.one(await this.findDossier.execute(principal, id));
  }

  @Get(':id/events')
  @ApiOperation({ summary: 'Historique du dossier : création et chaque transition (journal en ajout seul)' })
  @ApiOkResponse({ type: DossierEventListView })
  @ApiNotFoundResponse()
  async events(@Principal() principal: ApiKeyPrincipal, @Param('id') id: string): Promise<DossierEventListView> {
    return { data: (await this.listDossierEvents.execute(principal, id)).map(toDossierEventView) };
  }

  @Post(':id/cancel')
  @HttpCode(200)
  @ApiOperation({ summary: 'Annuler le dossier (possible tant que le débit n’est pas envoyé)' })
  @IdempotencyKeyHeader()
  @ApiOkResponse({ type: DossierView })
  @ApiConflictResponse({ description: 'Statut ne permettant plus l’annulation.' })
  async cancel(
    @Principal() principal: ApiKeyPrincipal,
    @Param('id') id: string,
    @Body() body: CancelDossierDto,
  ): Promise<DossierView> {
    return this.presenter.one(await this.cancelDossier.execute(principal, id, body.reason));
  }

  @Post(':id/payment-request')
  @HttpCode(200)
  @ApiOperation({ summary: 'Demander le paiement du montant dû (au plus le plafond de l’empreinte)' })
  @IdempotencyKeyHeader()
  @ApiOkResponse({ type: DossierWithWarningsView })
  @ApiConflictResponse({ description: 'Pas d’empreinte, ou demande déjà faite.' })
  @ApiUnprocessableEntityResponse({ description: 'Montant au-delà du plafond de l’empreinte.' })
  async paymentRequest(
    @Principal() principal: ApiKeyPrincipal,
    @Param('id') id: string,
    @Body() body: RequestPaymentDto,
  ): Promise<DossierWithWarningsView> {
    const outcome = await this.requestPayment.execute(principal, id, body);
    return { ...(await this.presenter.one(outcome.dossier)), warnings: outcome.warnings };
  }

  @Post(':id/imprints')
  @HttpCode(202)
  @ApiOperation({
    summary: 'Demander une empreinte (pré-autorisation PLBS) sur un terminal',
    description:
      'La demande part au terminal aussitôt ; son issue se lit sur le dossier (`imprint`, `lastImprintAttempt`) ' +
      'ou par GET /v1/dossiers/{id}/imprints. Le dossier reste en attente d’empreinte tant qu’elle n’est pas acceptée.',
  })
  @IdempotencyKeyHeader()
  @ApiAcceptedResponse({ type: ImprintAttemptView })
  @ApiConflictResponse({ description: 'Dossier déjà empreint, clos, ou empreinte déjà en cours.' })
  async imprint(
    @Principal() principal: ApiKeyPrincipal,
    @Param('id') id: string,
    @Body() body: RequestImprintDto,
  ): Promise<ImprintAttemptView> {
    const { attempt, terminal } = await this.requestImprint.execute(principal, id, body);
    return toImprintAttemptView(attempt, new Map([[terminal.id, terminal.code]]));
  }

  @Get(':id/imprints')
  @ApiOperation({ summary: 'Demandes d’empreinte du dossier, de la plus ancienne à la plus récente' })
  @ApiOkResponse({ type: ImprintAttemptListView })
  async imprints(@Principal() principal: ApiKeyPrincipal, @Param('id') id: string): Promise<ImprintAttemptListView> {
    const dossier = await this.findDossier.execute(principal, id);
    const context = (await this.presenter.contexts([dossier])).get(dossier.id)!;
    return { data: context.attempts.map((a) => toImprintAttemptView(a, context.terminalCodes)) };
  }
}
