import { randomUUID } from 'node:crypto';
import { DynamicModule, Module } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import { Clock, systemClock } from '@diapason/domain';
import { ConfigModule, DiapasonConfig, pinoOptions } from '@diapason/config';
import { PersistenceModule } from '@diapason/persistence';
import { GapApiKeyGuard } from './common/gap-auth';
import { IdempotencyInterceptor } from './common/idempotency.interceptor';
import { DossiersModule } from './dossiers/dossiers.module';
import { HealthController } from './health/health.controller';
import { RegiesController } from './regies/regies.controller';
import { TerminalsController } from './terminals/terminals.controller';
import { AlertsController } from './alerts/alerts.controller';
import { SmsStatusController } from './callbacks/sms-status.controller';
import { PatientPageController } from './patient/patient-page.controller';
import { WebhookEndpointsController } from './webhooks/webhook-endpoints.controller';
import { TerminalBridgeModule } from '@diapason/terminal-bridge';
import { NotifierModule } from '@diapason/notifier';

@Module({})
export class ApiModule {
  static forRoot(config: DiapasonConfig, clock: Clock = systemClock): DynamicModule {
    return {
      module: ApiModule,
      imports: [
        ConfigModule.forRoot(config, clock),
        LoggerModule.forRoot({
          pinoHttp: {
            ...pinoOptions(config, 'diapason-api'),
            // Assigned by the first middleware (bootstrap.ts), before the body is parsed.
            genReqId: (request) => (request as { id?: string }).id ?? randomUUID(),
            customLogLevel: (_request, response, error) =>
              error || response.statusCode >= 500 ? 'error' : response.statusCode >= 400 ? 'info' : 'debug',
            autoLogging: { ignore: (request) => request.url === '/health' },
            serializers: {
              req: (req: { id: string; method: string; url: string }) => ({
                id: req.id,
                method: req.method,
                url: req.url.split('?')[0],
              }),
            },
          },
        }),
        PersistenceModule.forRoot('diapason-api'),
        TerminalBridgeModule.forRoot({ runner: config.terminals.runner ?? false }),
        NotifierModule.forRoot(),
        DossiersModule,
      ],
      controllers: [
        HealthController,
        RegiesController,
        TerminalsController,
        AlertsController,
        WebhookEndpointsController,
        SmsStatusController,
        PatientPageController,
      ],
      providers: [GapApiKeyGuard, IdempotencyInterceptor],
    };
  }
}
