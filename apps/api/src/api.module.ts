import { randomUUID } from 'node:crypto';
import { DynamicModule, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { LoggerModule } from 'nestjs-pino';
import { Clock, systemClock } from '@diapason/domain';
import { ConfigModule, DiapasonConfig, pinoOptions } from '@diapason/config';
import { LifecycleModule } from '@diapason/lifecycle';
import { HostLookup, NotifierModule } from '@diapason/notifier';
import { PersistenceModule, TerminalRepository } from '@diapason/persistence';
import { TerminalBridgeModule } from '@diapason/terminal-bridge';
import { AccountingModule } from './accounting/accounting.module';
import { AlertsModule } from './alerts/alerts.module';
import { CallbacksModule } from './callbacks/callbacks.module';
import { ConsoleModule } from './console/console.module';
import { ApiKeyAuthenticator, ApiKeyGuard } from './common/auth';
import { IdempotencyInterceptor } from './common/idempotency.interceptor';
import { InvalidKeyLimiter } from './common/invalid-key-limiter';
import { DossiersModule } from './dossiers/dossiers.module';
import { HealthModule } from './health/health.module';
import { PatientModule } from './patient/patient.module';
import { RegiesModule } from './regies/regies.module';
import { TerminalsModule } from './terminals/terminals.module';
import { WebhooksModule } from './webhooks/webhooks.module';
import { ApiMetricsModule } from './metrics/metrics.module';

@Module({})
export class ApiModule {
  static forRoot(config: DiapasonConfig, clock: Clock = systemClock, options: { hostLookup?: HostLookup } = {}): DynamicModule {
    return {
      module: ApiModule,
      global: true,
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
            // Request and error serializers (tokens, query strings, rows of failed queries masked) come from pinoOptions.
          },
        }),
        PersistenceModule.forRoot('diapason-api'),
        TerminalBridgeModule.forRoot({ registry: TerminalRepository }),
        LifecycleModule,
        NotifierModule.forRoot({ hostLookup: options.hostLookup }),
        HealthModule,
        DossiersModule,
        TerminalsModule,
        RegiesModule,
        AlertsModule,
        WebhooksModule,
        AccountingModule,
        PatientModule,
        CallbacksModule,
        ConsoleModule,
        ApiMetricsModule,
      ],
      providers: [{ provide: APP_GUARD, useClass: ApiKeyGuard }, ApiKeyAuthenticator, InvalidKeyLimiter, IdempotencyInterceptor],
      exports: [IdempotencyInterceptor],
    };
  }
}
