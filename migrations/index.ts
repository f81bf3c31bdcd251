import { Foundation1763900000000 } from './1763900000000-foundation';
import { Terminals1763900100000 } from './1763900100000-terminals';
import { Completions1763900200000 } from './1763900200000-completions';
import { NoticesWebhooks1763900300000 } from './1763900300000-notices-webhooks';
import { TerminalOwnership1795565041201 } from './1795565041201-terminal-ownership';

/** Every migration, in order. The only way the schema changes. */
export const MIGRATIONS = [
  Foundation1763900000000,
  Terminals1763900100000,
  Completions1763900200000,
  NoticesWebhooks1763900300000,
  TerminalOwnership1795565041201,
];
