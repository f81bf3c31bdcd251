import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The régie's « À traiter » screen (issue 10, point 3): the failed imprint attempts of an
 * establishment, newest first. Partial, so it holds only the few failures, not every attempt.
 */
export class ConsoleRegieIndexes1795569368456 implements MigrationInterface {
  name = 'ConsoleRegieIndexes1795569368456';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE INDEX imprint_attempt_failed_idx ON imprint_attempt (establishment_id, requested_at DESC)
      WHERE status IN ('refused', 'failed')`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX imprint_attempt_failed_idx`);
  }
}
