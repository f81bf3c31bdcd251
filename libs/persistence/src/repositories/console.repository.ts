import { createHash, randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { v7 as uuidv7 } from 'uuid';
import { ConsoleRole, isConsoleRole } from '../console-accounts';
import { returnedRows } from '../raw-result';
import { TransactionContext } from '../transaction-context';

export interface ConsoleUser {
  id: string;
  establishmentId: string;
  establishmentCode: string;
  establishmentName: string;
  login: string;
  displayName: string | null;
  roles: ConsoleRole[];
  passwordHash: string | null;
  mustChangePassword: boolean;
  failedAttempts: number;
  lockedUntil: Date | null;
  oidcSubject: string | null;
  disabledAt: Date | null;
  lastLoginAt: Date | null;
  createdAt: Date;
}

export interface ConsoleSession {
  idHash: string;
  csrfSecret: string;
  createdAt: Date;
  lastSeenAt: Date;
  expiresAt: Date;
  via: 'password' | 'oidc';
  user: ConsoleUser;
}

export interface NewConsoleUser {
  establishmentId: string;
  login: string;
  roles: readonly ConsoleRole[];
  displayName?: string | null;
  passwordHash?: string | null;
  mustChangePassword?: boolean;
  oidcSubject?: string | null;
}

export interface ConsoleAuditEntry {
  at: Date;
  establishmentId: string | null;
  userId: string | null;
  login: string | null;
  action: string;
  target?: string | null;
  detail?: Record<string, unknown>;
  ip?: string | null;
}

export interface OidcRequest {
  state: string;
  nonce: string;
  codeVerifier: string;
}

interface UserRow {
  id: string;
  establishment_id: string;
  establishment_code: string;
  establishment_name: string;
  login: string;
  display_name: string | null;
  roles: string[];
  password_hash: string | null;
  must_change_password: boolean;
  failed_attempts: number;
  locked_until: Date | null;
  oidc_subject: string | null;
  disabled_at: Date | null;
  last_login_at: Date | null;
  created_at: Date;
}

const USER_COLUMNS = `u.id, u.establishment_id, e.code AS establishment_code, e.name AS establishment_name, u.login, u.display_name,
  u.roles, u.password_hash, u.must_change_password, u.failed_attempts, u.locked_until, u.oidc_subject, u.disabled_at,
  u.last_login_at, u.created_at`;

const toUser = (row: UserRow): ConsoleUser => ({
  id: row.id,
  establishmentId: row.establishment_id,
  establishmentCode: row.establishment_code,
  establishmentName: row.establishment_name,
  login: row.login,
  displayName: row.display_name,
  roles: row.roles.filter(isConsoleRole),
  passwordHash: row.password_hash,
  mustChangePassword: row.must_change_password,
  failedAttempts: row.failed_attempts,
  lockedUntil: row.locked_until,
  oidcSubject: row.oidc_subject,
  disabledAt: row.disabled_at,
  lastLoginAt: row.last_login_at,
  createdAt: row.created_at,
});

/** The cookie carries a random token; the table keeps only its SHA-256, as for API keys. */
export const hashSessionToken = (token: string): string => createHash('sha256').update(token, 'utf8').digest('hex');

/** Users, sessions and audit log of the Régie console. Times come from the caller's clock. */
@Injectable()
export class ConsoleRepository {
  constructor(private readonly tx: TransactionContext) {}

  private async users(where: string, params: unknown[]): Promise<ConsoleUser[]> {
    const rows: UserRow[] = await this.tx.manager.query(
      `SELECT ${USER_COLUMNS} FROM console_user u JOIN establishment e ON e.id = u.establishment_id WHERE ${where}`,
      params,
    );
    return rows.map(toUser);
  }

  async createUser(user: NewConsoleUser): Promise<ConsoleUser> {
    const id = uuidv7();
    await this.tx.manager.query(
      `INSERT INTO console_user (id, establishment_id, login, display_name, roles, password_hash, must_change_password, oidc_subject)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
      [
        id,
        user.establishmentId,
        user.login,
        user.displayName ?? null,
        [...user.roles],
        user.passwordHash ?? null,
        user.mustChangePassword ?? false,
        user.oidcSubject ?? null,
      ],
    );
    return (await this.findUser(id))!;
  }

  async findUser(id: string): Promise<ConsoleUser | null> {
    return (await this.users('u.id = $1', [id]))[0] ?? null;
  }

  /** Logins are matched without regard to case. */
  async findUserByLogin(establishmentId: string, login: string): Promise<ConsoleUser | null> {
    return (await this.users('u.establishment_id = $1 AND lower(u.login) = lower($2)', [establishmentId, login]))[0] ?? null;
  }

  async findUserBySubject(establishmentId: string, subject: string): Promise<ConsoleUser | null> {
    return (await this.users('u.establishment_id = $1 AND u.oidc_subject = $2', [establishmentId, subject]))[0] ?? null;
  }

  listUsers(establishmentId: string): Promise<ConsoleUser[]> {
    return this.users('u.establishment_id = $1 ORDER BY lower(u.login)', [establishmentId]);
  }

  /** A directory login: roles and name as the directory says now; a local login of the same name becomes this account. */
  async updateFromDirectory(id: string, changes: { roles: readonly ConsoleRole[]; displayName: string | null; subject: string }): Promise<void> {
    await this.tx.manager.query(`UPDATE console_user SET roles = $2, display_name = $3, oidc_subject = $4 WHERE id = $1`, [
      id,
      [...changes.roles],
      changes.displayName,
      changes.subject,
    ]);
  }

  /** One more wrong password; locks the account until `lockedUntil` when given. Returns the count. */
  async recordFailure(
    id: string,
    lockedUntil: (failedAttempts: number) => Date | null,
  ): Promise<{ failedAttempts: number; lockedUntil: Date | null }> {
    const rows = returnedRows<{ failed_attempts: number }>(
      await this.tx.manager.query(`UPDATE console_user SET failed_attempts = failed_attempts + 1 WHERE id = $1 RETURNING failed_attempts`, [id]),
    );
    const failedAttempts = rows[0]?.failed_attempts ?? 0;
    const until = lockedUntil(failedAttempts);
    if (until) await this.tx.manager.query(`UPDATE console_user SET locked_until = $2 WHERE id = $1`, [id, until]);
    return { failedAttempts, lockedUntil: until };
  }

  async recordLogin(id: string, at: Date): Promise<void> {
    await this.tx.manager.query(`UPDATE console_user SET failed_attempts = 0, locked_until = NULL, last_login_at = $2 WHERE id = $1`, [id, at]);
  }

  async setPassword(id: string, passwordHash: string, mustChange: boolean): Promise<void> {
    await this.tx.manager.query(
      `UPDATE console_user SET password_hash = $2, must_change_password = $3, failed_attempts = 0, locked_until = NULL WHERE id = $1`,
      [id, passwordHash, mustChange],
    );
  }

  /** Disables (or enables again) a user of the establishment; a disabled user's sessions end. */
  async setDisabled(establishmentId: string, id: string, at: Date | null): Promise<boolean> {
    const rows = returnedRows(
      await this.tx.manager.query(`UPDATE console_user SET disabled_at = $3 WHERE id = $2 AND establishment_id = $1 RETURNING id`, [
        establishmentId,
        id,
        at,
      ]),
    );
    if (at) await this.tx.manager.query(`DELETE FROM console_session WHERE user_id = $1`, [id]);
    return rows.length > 0;
  }

  /** Opens a session; returns the cookie's token (only its hash is kept) and the CSRF secret. */
  async openSession(userId: string, at: Date, expiresAt: Date, via: 'password' | 'oidc', ip: string | null): Promise<{ token: string }> {
    const token = randomBytes(32).toString('base64url');
    await this.tx.manager.query(
      `INSERT INTO console_session (id_hash, user_id, csrf_secret, created_at, last_seen_at, expires_at, ip, via)
       VALUES ($1, $2, $3, $4, $4, $5, $6, $7)`,
      [hashSessionToken(token), userId, randomBytes(32).toString('base64url'), at, expiresAt, ip, via],
    );
    return { token };
  }

  async findSession(token: string): Promise<ConsoleSession | null> {
    const rows: (UserRow & {
      id_hash: string;
      csrf_secret: string;
      session_created_at: Date;
      last_seen_at: Date;
      expires_at: Date;
      via: 'password' | 'oidc';
    })[] = await this.tx.manager.query(
      `SELECT ${USER_COLUMNS}, s.id_hash, s.csrf_secret, s.created_at AS session_created_at, s.last_seen_at, s.expires_at, s.via
         FROM console_session s JOIN console_user u ON u.id = s.user_id JOIN establishment e ON e.id = u.establishment_id
        WHERE s.id_hash = $1`,
      [hashSessionToken(token)],
    );
    const row = rows[0];
    if (!row) return null;
    return {
      idHash: row.id_hash,
      csrfSecret: row.csrf_secret,
      createdAt: row.session_created_at,
      lastSeenAt: row.last_seen_at,
      expiresAt: row.expires_at,
      via: row.via,
      user: toUser(row),
    };
  }

  async touchSession(idHash: string, at: Date, expiresAt: Date): Promise<void> {
    await this.tx.manager.query(`UPDATE console_session SET last_seen_at = $2, expires_at = $3 WHERE id_hash = $1`, [idHash, at, expiresAt]);
  }

  async closeSession(idHash: string): Promise<void> {
    await this.tx.manager.query(`DELETE FROM console_session WHERE id_hash = $1`, [idHash]);
  }

  /** Sessions past their expiry are useless: removed now and then. */
  async purgeSessions(at: Date): Promise<void> {
    await this.tx.manager.query(`DELETE FROM console_session WHERE expires_at <= $1`, [at]);
    await this.tx.manager.query(`DELETE FROM console_oidc_request WHERE expires_at <= $1`, [at]);
  }

  /** An OIDC login in progress, bound to the browser by a random token (its cookie). */
  async saveOidcRequest(request: OidcRequest, expiresAt: Date): Promise<{ token: string }> {
    const token = randomBytes(32).toString('base64url');
    await this.tx.manager.query(`INSERT INTO console_oidc_request (id_hash, state, nonce, code_verifier, expires_at) VALUES ($1, $2, $3, $4, $5)`, [
      hashSessionToken(token),
      request.state,
      request.nonce,
      request.codeVerifier,
      expiresAt,
    ]);
    return { token };
  }

  /** Used once: deleted as it is read. */
  async takeOidcRequest(token: string, at: Date): Promise<OidcRequest | null> {
    const rows = returnedRows<{ state: string; nonce: string; code_verifier: string }>(
      await this.tx.manager.query(`DELETE FROM console_oidc_request WHERE id_hash = $1 AND expires_at > $2 RETURNING state, nonce, code_verifier`, [
        hashSessionToken(token),
        at,
      ]),
    );
    const row = rows[0];
    return row ? { state: row.state, nonce: row.nonce, codeVerifier: row.code_verifier } : null;
  }

  async audit(entry: ConsoleAuditEntry): Promise<void> {
    await this.tx.manager.query(
      `INSERT INTO console_audit (at, establishment_id, user_id, login, action, target, detail, ip) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
      [entry.at, entry.establishmentId, entry.userId, entry.login, entry.action, entry.target ?? null, entry.detail ?? {}, entry.ip ?? null],
    );
  }

  async listAudit(establishmentId: string, limit = 200): Promise<(ConsoleAuditEntry & { id: string })[]> {
    const rows: {
      id: string;
      at: Date;
      establishment_id: string | null;
      user_id: string | null;
      login: string | null;
      action: string;
      target: string | null;
      detail: Record<string, unknown>;
      ip: string | null;
    }[] = await this.tx.manager.query(
      `SELECT id, at, establishment_id, user_id, login, action, target, detail, ip FROM console_audit
        WHERE establishment_id = $1 ORDER BY at DESC, id DESC LIMIT $2`,
      [establishmentId, limit],
    );
    return rows.map((r) => ({
      id: String(r.id),
      at: r.at,
      establishmentId: r.establishment_id,
      userId: r.user_id,
      login: r.login,
      action: r.action,
      target: r.target,
      detail: r.detail,
      ip: r.ip,
    }));
  }
}
