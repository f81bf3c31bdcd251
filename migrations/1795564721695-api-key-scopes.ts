import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Scopes of GAP API keys (issue 13, point 3). Keys created before this migration could do
 * everything the API offered: they keep every scope that grants something (`dossiers`,
 * `terminals`, `webhooks`), so no GAP breaks on upgrade; `read_only` would add nothing to them.
 * New keys state their scopes (`diapason api-key:create <code> --scopes …`, default `dossiers`).
 */
export class ApiKeyScopes1795564721695 implements MigrationInterface {
  name = 'ApiKeyScopes1795564721695';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE api_key ADD COLUMN scopes text[] NOT NULL DEFAULT '{dossiers,terminals,webhooks}'`);
    // Only existing rows get the default: every new key says what it may do.
    await q.query(`ALTER TABLE api_key ALTER COLUMN scopes DROP DEFAULT`);
    await q.query(`
      ALTER TABLE api_key ADD CONSTRAINT api_key_scopes_known
        CHECK (cardinality(scopes) > 0 AND scopes <@ ARRAY['dossiers', 'terminals', 'webhooks', 'read_only']::text[])`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE api_key DROP COLUMN scopes`);
  }
}
