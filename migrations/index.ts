import { Foundation1763900000000 } from './1763900000000-foundation';

/** Every migration, in order. The only way the schema changes. */
export const MIGRATIONS = [Foundation1763900000000];
