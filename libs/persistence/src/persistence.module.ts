import { DynamicModule, Global, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DiapasonConfig, DIAPASON_CONFIG } from '@diapason/config';
import { dataSourceOptions } from './data-source';
import { ApiKeyRepository } from './repositories/api-key.repository';
import { ConsoleRepository } from './repositories/console.repository';
import { DossierRepository } from './repositories/dossier.repository';
import { EstablishmentRepository } from './repositories/establishment.repository';
import { IdempotencyRepository } from './repositories/idempotency.repository';
import { TerminalRepository } from './repositories/terminal.repository';
import { DossierWriteRepository } from './repositories/dossier-write.repository';
import { AlertRepository } from './repositories/alert.repository';
import { NoticeRepository } from './repositories/notice.repository';
import { ObservationRepository } from './repositories/observation.repository';
import { OutboxRepository } from './repositories/outbox.repository';
import { WebhookRepository } from './repositories/webhook.repository';
import { AccountingRepository } from './repositories/accounting.repository';
import { TransactionContext } from './transaction-context';

const REPOSITORIES = [
  TransactionContext,
  ApiKeyRepository,
  ConsoleRepository,
  DossierRepository,
  EstablishmentRepository,
  IdempotencyRepository,
  TerminalRepository,
  DossierWriteRepository,
  AlertRepository,
  NoticeRepository,
  OutboxRepository,
  WebhookRepository,
  ObservationRepository,
  AccountingRepository,
];

@Global()
@Module({})
export class PersistenceModule {
  /** The DataSource of the configured DATABASE_URL, and every repository. */
  static forRoot(applicationName: string): DynamicModule {
    return {
      module: PersistenceModule,
      imports: [
        TypeOrmModule.forRootAsync({
          inject: [DIAPASON_CONFIG],
          useFactory: (config: DiapasonConfig) => {
            if (!config.database.url) throw new Error('DATABASE_URL is required to start this process');
            return dataSourceOptions({
              url: config.database.url,
              poolSize: config.database.poolSize,
              applicationName,
            });
          },
        }),
      ],
      providers: REPOSITORIES,
      exports: REPOSITORIES,
    };
  }
}
