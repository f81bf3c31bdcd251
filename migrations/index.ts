import { Foundation1763900000000 } from './1763900000000-foundation';
import { Terminals1763900100000 } from './1763900100000-terminals';
import { Completions1763900200000 } from './1763900200000-completions';
import { NoticesWebhooks1763900300000 } from './1763900300000-notices-webhooks';
import { ApiKeyScopes1795564721695 } from './1795564721695-api-key-scopes';
import { NoticeDeliveryStatus1795565000000 } from './1795565000000-notice-delivery-status';
import { PersonalDataRetention1795565037562 } from './1795565037562-personal-data-retention';
import { TerminalOwnership1795565041201 } from './1795565041201-terminal-ownership';
import { ConsoleUsersSessions1795567117873 } from './1795567117873-console-users-sessions';
import { AccountingModel1795567136553 } from './1795567136553-accounting-model';
import { RemittancesReconciliation1795568342937 } from './1795568342937-remittances-reconciliation';
import { ConsoleRegieIndexes1795569368456 } from './1795569368456-console-regie-indexes';

/** Every migration, in order. The only way the schema changes. */
export const MIGRATIONS = [
  Foundation1763900000000,
  Terminals1763900100000,
  Completions1763900200000,
  NoticesWebhooks1763900300000,
  ApiKeyScopes1795564721695,
  NoticeDeliveryStatus1795565000000,
  PersonalDataRetention1795565037562,
  TerminalOwnership1795565041201,
  ConsoleUsersSessions1795567117873,
  AccountingModel1795567136553,
  RemittancesReconciliation1795568342937,
  ConsoleRegieIndexes1795569368456,
];
