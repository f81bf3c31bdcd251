import { ApiKeyEntity } from './api-key.entity';
import { DossierEventEntity } from './dossier-event.entity';
import { DossierEntity } from './dossier.entity';
import { EstablishmentEntity } from './establishment.entity';
import { IdempotencyKeyEntity } from './idempotency-key.entity';
import { ImprintAttemptEntity } from './imprint-attempt.entity';
import { TerminalEntity } from './terminal.entity';
import { RegieEntity } from './regie.entity';

export {
  ApiKeyEntity,
  DossierEntity,
  DossierEventEntity,
  EstablishmentEntity,
  IdempotencyKeyEntity,
  ImprintAttemptEntity,
  RegieEntity,
  TerminalEntity,
};
export type { ImprintAttemptStatus } from './imprint-attempt.entity';
export type { ActorType } from './dossier-event.entity';

export const ENTITIES = [
  EstablishmentEntity,
  ApiKeyEntity,
  RegieEntity,
  DossierEntity,
  DossierEventEntity,
  IdempotencyKeyEntity,
  TerminalEntity,
  ImprintAttemptEntity,
];
