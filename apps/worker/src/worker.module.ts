import { DynamicModule, Module } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import { Clock, systemClock } from '@diapason/domain';
import { ConfigModule, DiapasonConfig, pinoOptions } from '@diapason/config';
import { PersistenceModule, TerminalRepository } from '@diapason/persistence';
import { LifecycleModule } from '@diapason/lifecycle';
import { IMPRINT_RUNNER_ENABLED, ImprintRunner } from './imprints/imprint-runner';
import { TerminalBridgeModule } from '@diapason/terminal-bridge';
import { SchedulerService } from './scheduler.service';
import { SWEEPS, WORKER_ID } from './sweep';
import { hostname } from 'node:os';
import { AcquirerClient } from '@diapason/acquirer';
import { CompleteDueDossiers, CompletionSettler, RecoverStalledCompletions } from './sweeps/complete-due-dossiers';
import { AbandonUnacknowledged, CloseExpiredImprints, RaiseDeadlineAlerts } from './sweeps/close-lapsed-dossiers';
import { DeliverWebhooks, DispatchOutbox } from './sweeps/dispatch-outbox';
import { HostLookup, NotifierModule } from '@diapason/notifier';
import { OutboxWakeUp } from './outbox-wake-up';
import { DIAPASON_CONFIG } from '@diapason/config';
import { PurgeIdempotencyKeys } from './sweeps/purge-idempotency-keys';
import { ErasePersonalData } from './sweeps/erase-personal-data';
import { MetricsModule } from '@diapason/metrics';
import { WORKER_OBSERVABILITY } from './observability';

/**
 * In this order at each tick: notices first; debits that are due go out before the imprints past their validity
 * are closed, and abandons run before the alerts so that a closed dossier is not alerted.
 */
const SWEEP_CLASSES = [
  DispatchOutbox,
  CompleteDueDossiers,
  RecoverStalledCompletions,
  AbandonUnacknowledged,
  CloseExpiredImprints,
  RaiseDeadlineAlerts,
  DeliverWebhooks,
  PurgeIdempotencyKeys,
  ErasePersonalData,
];

@Module({})
export class WorkerModule {
  static forRoot(config: DiapasonConfig, clock: Clock = systemClock, options: { hostLookup?: HostLookup } = {}): DynamicModule {
    return {
      module: WorkerModule,
      imports: [
        ConfigModule.forRoot(config, clock),
        LoggerModule.forRoot({ pinoHttp: pinoOptions(config, 'diapason-worker') }),
        PersistenceModule.forRoot('diapason-worker'),
        TerminalBridgeModule.forRoot({ registry: TerminalRepository }),
        LifecycleModule,
        NotifierModule.forRoot({ hostLookup: options.hostLookup }),
        MetricsModule.forRoot('worker'),
      ],
      providers: [
        ...SWEEP_CLASSES,
        CompletionSettler,
        { provide: WORKER_ID, useValue: `${hostname()}:${process.pid}` },
        {
          provide: AcquirerClient,
          inject: [DIAPASON_CONFIG],
          useFactory: (c: DiapasonConfig) => new AcquirerClient({ baseUrl: c.acquirer.url, timeoutMs: c.acquirer.timeoutMs }),
        },
        { provide: SWEEPS, inject: SWEEP_CLASSES, useFactory: (...sweeps: unknown[]) => sweeps },
        SchedulerService,
        OutboxWakeUp,
        ImprintRunner,
        { provide: IMPRINT_RUNNER_ENABLED, useValue: config.terminals.runner ?? true },
        ...WORKER_OBSERVABILITY,
      ],
      exports: [SchedulerService, ImprintRunner],
    };
  }
}
