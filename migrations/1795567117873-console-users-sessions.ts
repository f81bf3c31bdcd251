import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The Régie console (issue 10): its users (local accounts and directory accounts), their sessions
 * (server-side: the cookie holds a random id, only its SHA-256 is stored) and the audit log of what
 * they do. OIDC logins in progress keep their state, nonce and PKCE verifier here too, so that any
 * api replica can finish them.
 */
export class ConsoleUsersSessions1795567117873 implements MigrationInterface {
  name = 'ConsoleUsersSessions1795567117873';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE console_user (
        id uuid PRIMARY KEY,
        establishment_id uuid NOT NULL REFERENCES establishment (id),
        login varchar(100) NOT NULL,
        display_name varchar(200),
        roles text[] NOT NULL DEFAULT '{}',
        -- Argon2id (PHC string); null for a directory account, which never signs in with a password.
        password_hash text,
        must_change_password boolean NOT NULL DEFAULT false,
        failed_attempts integer NOT NULL DEFAULT 0,
        locked_until timestamptz,
        -- The directory's \`sub\`, for accounts created or matched by single sign-on.
        oidc_subject varchar(255),
        disabled_at timestamptz,
        last_login_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT console_user_roles_known
          CHECK (roles <@ ARRAY['caissier', 'regisseur', 'comptable', 'administrateur']::text[])
      )`);
    await q.query(`CREATE UNIQUE INDEX console_user_login_key ON console_user (establishment_id, lower(login))`);
    await q.query(
      `CREATE UNIQUE INDEX console_user_oidc_subject_key ON console_user (establishment_id, oidc_subject) WHERE oidc_subject IS NOT NULL`,
    );
    await q.query(`
      CREATE TABLE console_session (
        id_hash char(64) PRIMARY KEY,
        user_id uuid NOT NULL REFERENCES console_user (id) ON DELETE CASCADE,
        csrf_secret varchar(64) NOT NULL,
        created_at timestamptz NOT NULL,
        last_seen_at timestamptz NOT NULL,
        expires_at timestamptz NOT NULL,
        ip varchar(64),
        via varchar(10) NOT NULL CHECK (via IN ('password', 'oidc'))
      )`);
    await q.query(`CREATE INDEX console_session_user ON console_session (user_id)`);
    await q.query(`CREATE INDEX console_session_expires ON console_session (expires_at)`);
    await q.query(`
      CREATE TABLE console_oidc_request (
        id_hash char(64) PRIMARY KEY,
        state varchar(128) NOT NULL,
        nonce varchar(128) NOT NULL,
        code_verifier varchar(128) NOT NULL,
        expires_at timestamptz NOT NULL
      )`);
    await q.query(`
      CREATE TABLE console_audit (
        id bigserial PRIMARY KEY,
        at timestamptz NOT NULL,
        establishment_id uuid REFERENCES establishment (id),
        user_id uuid REFERENCES console_user (id) ON DELETE SET NULL,
        login varchar(100),
        action varchar(64) NOT NULL,
        target varchar(200),
        detail jsonb NOT NULL DEFAULT '{}',
        ip varchar(64)
      )`);
    await q.query(`CREATE INDEX console_audit_establishment_at ON console_audit (establishment_id, at DESC)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE console_audit`);
    await q.query(`DROP TABLE console_oidc_request`);
    await q.query(`DROP TABLE console_session`);
    await q.query(`DROP TABLE console_user`);
  }
}
