import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query, UseInterceptors } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { ApiKeyPrincipal } from '@diapason/persistence';
import { GapApi, Principal } from '../common/auth';
import { IdempotencyInterceptor } from '../common/idempotency.interceptor';
import { ApiProblems, IdempotencyKeyHeader, JSON_BODY_PROBLEMS } from '../common/openapi';
import { CreateWebhookEndpointDto } from './dto/create-webhook-endpoint.dto';
import { ListDeliveriesQuery } from './dto/list-deliveries.query';
import { CreateWebhookEndpoint, MAX_WEBHOOK_ENDPOINTS } from './usecases/create-webhook-endpoint';
import { DeleteWebhookEndpoint } from './usecases/delete-webhook-endpoint';
import { ListWebhookDeliveries } from './usecases/list-webhook-deliveries';
import { ListWebhookEndpoints } from './usecases/list-webhook-endpoints';
import {
  WebhookDeliveryListView,
  WebhookEndpointDeletedView,
  WebhookEndpointListView,
  WebhookEndpointView,
  toWebhookDeliveryView,
  toWebhookEndpointView,
} from './webhook.view';

/**
 * GAP webhooks: every event of the establishment's dossiers, signed with
 * `Diapason-Signature: t=<unix>,v1=<hex HMAC-SHA256("<t>.<body>", secret)>`, retried for 24 h.
 */
const NOT_FOUND = { status: 404, description: '`webhook_endpoint_not_found` : aucun abonnement de cet identifiant pour l’établissement.' };

@ApiTags('Webhooks')
@GapApi('webhooks')
@Controller('v1/webhook-endpoints')
@UseInterceptors(IdempotencyInterceptor)
export class WebhooksController {
  constructor(
    private readonly createEndpoint: CreateWebhookEndpoint,
    private readonly listEndpoints: ListWebhookEndpoints,
    private readonly deleteEndpoint: DeleteWebhookEndpoint,
    private readonly listDeliveries: ListWebhookDeliveries,
  ) {}

  @Post()
  @ApiOperation({
    operationId: 'createWebhookEndpoint',
    summary: 'Abonner une adresse de la GAP aux événements des dossiers',
    description:
      `${MAX_WEBHOOK_ENDPOINTS} abonnements au plus par établissement. L’adresse doit être en https, sans identifiants ; ` +
      'le bouclage, les adresses non spécifiées, de lien local, de multidiffusion et des métadonnées du nuage sont refusés, ' +
      'les réseaux privés aussi sauf s’ils sont listés par l’exploitant (DIAPASON_WEBHOOK_ALLOWED_NETWORKS, où http est alors accepté). ' +
      'Le worker vérifie de nouveau l’adresse IP à chaque connexion : une tentative vers une destination refusée est enregistrée ' +
      '« refusé », sans connexion.',
  })
  @IdempotencyKeyHeader()
  @ApiCreatedResponse({ type: WebhookEndpointView })
  @ApiProblems(
    ...JSON_BODY_PROBLEMS,
    {
      status: 409,
      description: `\`webhook_endpoint_limit_reached\` : l’établissement a déjà ${MAX_WEBHOOK_ENDPOINTS} abonnements (membre \`limit\`).`,
    },
    {
      status: 422,
      description:
        '`webhook_destination_refused` : destination refusée, la raison est dans `detail` et dans `errors` (champ `url`) ; ' +
        '`idempotency_key_reused` : clé d’idempotence déjà utilisée pour une autre requête.',
    },
  )
  async create(@Principal() principal: ApiKeyPrincipal, @Body() body: CreateWebhookEndpointDto): Promise<WebhookEndpointView> {
    return toWebhookEndpointView(await this.createEndpoint.execute(principal, body), true);
  }

  @Get()
  @ApiOperation({ operationId: 'listWebhookEndpoints', summary: 'Abonnements de l’établissement' })
  @ApiOkResponse({ type: WebhookEndpointListView })
  async list(@Principal() principal: ApiKeyPrincipal): Promise<WebhookEndpointListView> {
    return { data: (await this.listEndpoints.execute(principal)).map((e) => toWebhookEndpointView(e)) };
  }

  @Delete(':id')
  @HttpCode(200)
  @ApiOperation({ operationId: 'deleteWebhookEndpoint', summary: 'Supprimer un abonnement (les envois en attente sont abandonnés)' })
  @ApiOkResponse({ type: WebhookEndpointDeletedView })
  @ApiProblems(NOT_FOUND)
  async remove(@Principal() principal: ApiKeyPrincipal, @Param('id') id: string): Promise<WebhookEndpointDeletedView> {
    return { id: await this.deleteEndpoint.execute(principal, id), deleted: true };
  }

  @Get(':id/deliveries')
  @ApiOperation({ operationId: 'listWebhookDeliveries', summary: 'Envois de cet abonnement, du plus récent au plus ancien, avec chaque tentative' })
  @ApiOkResponse({ type: WebhookDeliveryListView })
  @ApiProblems({ status: 400, description: '`validation_failed` : paramètre invalide ou inconnu (détail dans `errors`).' }, NOT_FOUND)
  async deliveries(
    @Principal() principal: ApiKeyPrincipal,
    @Param('id') id: string,
    @Query() query: ListDeliveriesQuery,
  ): Promise<WebhookDeliveryListView> {
    return { data: (await this.listDeliveries.execute(principal, id, query)).map(toWebhookDeliveryView) };
  }
}
