import { Module } from '@nestjs/common';
import { CreateWebhookEndpoint } from './usecases/create-webhook-endpoint';
import { DeleteWebhookEndpoint } from './usecases/delete-webhook-endpoint';
import { FindWebhookEndpoint } from './usecases/find-webhook-endpoint';
import { ListWebhookDeliveries } from './usecases/list-webhook-deliveries';
import { ListWebhookEndpoints } from './usecases/list-webhook-endpoints';
import { WebhooksController } from './webhooks.controller';

@Module({
  controllers: [WebhooksController],
  providers: [CreateWebhookEndpoint, ListWebhookEndpoints, FindWebhookEndpoint, DeleteWebhookEndpoint, ListWebhookDeliveries],
})
export class WebhooksModule {}
