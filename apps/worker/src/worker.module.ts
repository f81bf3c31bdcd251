import { DynamicModule, Module } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import { Clock, systemClock } from '@diapason/domain';
import { ConfigModule, DiapasonConfig, pinoOptions } from '@diapason/config';
import { PersistenceModule } from '@diapason/persistence';
import { TerminalBridgeModule } from '@diapason/terminal-bridge';
import { SchedulerService } from './scheduler.service';
import { SWEEPS } from './sweep';
import { PurgeIdempotencyKeys } from './sweeps/purge-idempotency-keys';

const SWEEP_CLASSES = [PurgeIdempotencyKeys];

@Module({})
export class WorkerModule {
  static forRoot(config: DiapasonConfig, clock: Clock = systemClock): DynamicModule {
    return {
      module: WorkerModule,
      imports: [
        ConfigModule.forRoot(config, clock),
        LoggerModule.forRoot({ pinoHttp: pinoOptions(config, 'diapason-worker') }),
        PersistenceModule.forRoot('diapason-worker'),
        TerminalBridgeModule.forRoot({ runner: config.terminals.runner ?? true }),
      ],
      providers: [
        ...SWEEP_CLASSES,
        { provide: SWEEPS, inject: SWEEP_CLASSES, useFactory: (...sweeps: unknown[]) => sweeps },
        SchedulerService,
      ],
      exports: [SchedulerService],
    };
  }
}
