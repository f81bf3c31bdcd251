import { Body, Controller, Get, HttpCode, Param, Post, Query, UseInterceptors } from '@nestjs/common';
import {
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
import { DossierRepository } from '@diapason/persistence';
import { GapApi, Principal } from '../common/gap-auth';
import { IdempotencyInterceptor } from '../common/idempotency.interceptor';
import {
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
    private readonly dossiers: DossierRepository,
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
    return { data: page.data.map(toDossierView), nextCursor: page.nextCursor };
  }

  @Get(':id')
  @ApiOperation({ summary: 'Lire un dossier' })
  @ApiOkResponse({ type: DossierView })
  @ApiNotFoundResponse()
  async get(@Principal() principal: ApiKeyPrincipal, @Param('id') id: string): Promise<DossierView> {
    return toDossierView(await this.findDossier.execute(principal, id));
  }

  @Get(':id/events')
  @ApiOperation({ summary: 'Historique du dossier : création et chaque transition (journal en ajout seul)' })
  @ApiOkResponse({ type: DossierEventListView })
  @ApiNotFoundResponse()
  async events(@Principal() principal: ApiKeyPrincipal, @Param('id') id: string): Promise<DossierEventListView> {
    const dossier = await this.findDossier.execute(principal, id);
    return { data: (await this.dossiers.events(dossier.id)).map(toDossierEventView) };
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
    return toDossierView(await this.cancelDossier.execute(principal, id, body.reason));
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
    return { ...toDossierView(outcome.dossier), warnings: outcome.warnings };
  }
}
