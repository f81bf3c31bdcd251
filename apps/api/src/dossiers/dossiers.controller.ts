import { Body, Controller, Get, HttpCode, Param, Post, Query, UseInterceptors } from '@nestjs/common';
import { ApiAcceptedResponse, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { type ApiKeyPrincipal, TransactionContext } from '@diapason/persistence';
import { GapApi, Principal } from '../common/auth';
import { IdempotencyInterceptor } from '../common/idempotency.interceptor';
import { ApiProblems, IdempotencyKeyHeader, JSON_BODY_PROBLEMS } from '../common/openapi';
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

const NOT_FOUND = { status: 404, description: '`dossier_not_found` : aucun dossier de cet identifiant pour l’établissement.' };
const INVALID_TRANSITION = (what: string) => ({
  status: 409,
  description: `\`invalid_transition\` : ${what} (membres \`currentStatus\` et \`event\`).`,
});

@ApiTags('Dossiers')
@GapApi('dossiers')
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
    private readonly tx: TransactionContext,
  ) {}

  @Post()
  @ApiOperation({ operationId: 'createDossier', summary: 'Ouvrir un dossier DIAPASON pour un séjour' })
  @IdempotencyKeyHeader()
  @ApiCreatedResponse({ type: DossierView })
  @ApiProblems(...JSON_BODY_PROBLEMS, {
    status: 409,
    description: '`duplicate_active_dossier` : un dossier est déjà en cours pour ce numéro de dossier GAP (membre `existingDossierId`).',
  })
  async create(@Principal() principal: ApiKeyPrincipal, @Body() body: CreateDossierDto): Promise<DossierView> {
    return toDossierView(await this.createDossier.execute(principal, body));
  }

  @Get()
  @ApiOperation({ operationId: 'listDossiers', summary: 'Lister les dossiers, du plus récent au plus ancien' })
  @ApiOkResponse({ type: DossierPageView })
  @ApiProblems({ status: 400, description: '`validation_failed` : paramètre invalide ou inconnu (détail dans `errors`) ; `invalid_cursor`.' })
  async list(@Principal() principal: ApiKeyPrincipal, @Query() query: ListDossiersQuery): Promise<DossierPageView> {
    return this.tx.snapshot(async () => {
      const page = await this.listDossiers.execute(principal, query);
      return { data: await this.presenter.many(page.data), nextCursor: page.nextCursor };
    });
  }

  @Get(':id')
  @ApiOperation({ operationId: 'getDossier', summary: 'Lire un dossier' })
  @ApiOkResponse({ type: DossierView })
  @ApiProblems(NOT_FOUND)
  async get(@Principal() principal: ApiKeyPrincipal, @Param('id') id: string): Promise<DossierView> {
    return this.tx.snapshot(async () => this.presenter.one(await this.findDossier.execute(principal, id)));
  }

  @Get(':id/events')
  @ApiOperation({ operationId: 'listDossierEvents', summary: 'Historique du dossier : création et chaque transition (journal en ajout seul)' })
  @ApiOkResponse({ type: DossierEventListView })
  @ApiProblems(NOT_FOUND)
  async events(@Principal() principal: ApiKeyPrincipal, @Param('id') id: string): Promise<DossierEventListView> {
    return { data: (await this.listDossierEvents.execute(principal, id)).map(toDossierEventView) };
  }

  @Post(':id/cancel')
  @HttpCode(200)
  @ApiOperation({ operationId: 'cancelDossier', summary: 'Annuler le dossier (possible tant que le débit n’est pas envoyé)' })
  @IdempotencyKeyHeader()
  @ApiOkResponse({ type: DossierView })
  @ApiProblems(...JSON_BODY_PROBLEMS, NOT_FOUND, INVALID_TRANSITION('statut ne permettant plus l’annulation'))
  async cancel(@Principal() principal: ApiKeyPrincipal, @Param('id') id: string, @Body() body: CancelDossierDto): Promise<DossierView> {
    return this.presenter.one(await this.cancelDossier.execute(principal, id, body.reason));
  }

  @Post(':id/payment-request')
  @HttpCode(200)
  @ApiOperation({ operationId: 'requestPayment', summary: 'Demander le paiement du montant dû (au plus le plafond de l’empreinte)' })
  @IdempotencyKeyHeader()
  @ApiOkResponse({ type: DossierWithWarningsView })
  @ApiProblems(...JSON_BODY_PROBLEMS, NOT_FOUND, INVALID_TRANSITION('pas d’empreinte, ou demande déjà faite'), {
    status: 422,
    description: '`amount_exceeds_ceiling` : montant au-delà du plafond de l’empreinte (membres `ceilingCents`, `amountCents`).',
  })
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
    operationId: 'requestImprint',
    summary: 'Demander une empreinte (pré-autorisation PLBS) sur un terminal',
    description:
      'La demande part au terminal aussitôt ; son issue se lit sur le dossier (`imprint`, `lastImprintAttempt`) ' +
      'ou par GET /v1/dossiers/{id}/imprints. Le dossier reste en attente d’empreinte tant qu’elle n’est pas acceptée.',
  })
  @IdempotencyKeyHeader()
  @ApiAcceptedResponse({ type: ImprintAttemptView })
  @ApiProblems(
    ...JSON_BODY_PROBLEMS,
    NOT_FOUND,
    {
      status: 409,
      description:
        '`invalid_transition` : dossier déjà empreint ou clos (membres `currentStatus`, `event`) ; ' +
        '`imprint_in_progress` : une empreinte est déjà en cours (membre `attemptId`).',
    },
    { status: 422, description: '`unknown_terminal` : aucun terminal de cet identifiant pour l’établissement (détail dans `errors`).' },
  )
  async imprint(@Principal() principal: ApiKeyPrincipal, @Param('id') id: string, @Body() body: RequestImprintDto): Promise<ImprintAttemptView> {
    const { attempt, terminal } = await this.requestImprint.execute(principal, id, body);
    return toImprintAttemptView(attempt, new Map([[terminal.id, terminal.code]]));
  }

  @Get(':id/imprints')
  @ApiOperation({ operationId: 'listImprintAttempts', summary: 'Demandes d’empreinte du dossier, de la plus ancienne à la plus récente' })
  @ApiOkResponse({ type: ImprintAttemptListView })
  @ApiProblems(NOT_FOUND)
  async imprints(@Principal() principal: ApiKeyPrincipal, @Param('id') id: string): Promise<ImprintAttemptListView> {
    return this.tx.snapshot(async () => {
      const dossier = await this.findDossier.execute(principal, id);
      const context = (await this.presenter.contexts([dossier])).get(dossier.id)!;
      return { data: context.attempts.map((a) => toImprintAttemptView(a, context.terminalCodes)) };
    });
  }
}
