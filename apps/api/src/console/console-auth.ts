import { timingSafeEqual } from 'node:crypto';
import { CanActivate, ExecutionContext, Inject, Injectable, SetMetadata } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request, Response } from 'express';
import { parse as parseCookies } from 'cookie';
import { DIAPASON_CONFIG, InjectClock } from '@diapason/config';
import type { DiapasonConfig } from '@diapason/config';
import type { Clock } from '@diapason/domain';
import { ConsoleRepository, ConsoleRole, ConsoleSession, TransactionContext } from '@diapason/persistence';

export const SESSION_COOKIE = 'diapason_console';
/** Double-submit token of the login form, before any session exists. */
export const LOGIN_CSRF_COOKIE = 'diapason_console_login';
export const OIDC_COOKIE = 'diapason_console_oidc';

/** The request once the guard has run. */
export interface ConsoleRequest extends Request {
  consoleSession?: ConsoleSession;
}

/** Route open without a session (login pages, stylesheet). */
export const AnonymousConsole = () => SetMetadata('console:anonymous', true);
/** Roles of which one opens the route; none: any signed-in user. */
export const ConsoleRoles = (...roles: ConsoleRole[]) => SetMetadata('console:roles', roles);
/** Route a user who must change their password may still use. */
export const DuringPasswordChange = () => SetMetadata('console:password-change', true);

/** No valid session: the filter sends the browser to the login page. */
export class ConsoleLoginRequired extends Error {
  constructor(readonly expired: boolean) {
    super('login required');
  }
}

/** Signed in but not allowed: a French 403 page. */
export class ConsoleForbidden extends Error {
  constructor(
    readonly title: string,
    readonly reason: string,
  ) {
    super('forbidden');
  }
}

/** The first login with a one-time password: nothing else until a password is chosen. */
export class ConsolePasswordChangeRequired extends Error {}

export const sameToken = (given: unknown, expected: string): boolean => {
  if (typeof given !== 'string' || given.length !== expected.length) return false;
  return timingSafeEqual(Buffer.from(given), Buffer.from(expected));
};

/** Sessions: cookie in, session row out; times from the injected clock. */
@Injectable()
export class ConsoleSessions {
  private readonly secure: boolean;
  private readonly origin: string;

  constructor(
    @Inject(DIAPASON_CONFIG) private readonly config: DiapasonConfig,
    @InjectClock() private readonly clock: Clock,
    private readonly repository: ConsoleRepository,
    private readonly tx: TransactionContext,
  ) {
    const url = new URL(config.http.publicBaseUrl);
    this.secure = url.protocol === 'https:';
    this.origin = url.origin;
  }

  now(): Date {
    return this.clock.now();
  }

  cookies(request: Request): Record<string, string | undefined> {
    return parseCookies(request.headers.cookie ?? '');
  }

  setCookie(response: Response, name: string, value: string, path = '/console', maxAgeMs?: number): void {
    response.cookie(name, value, { httpOnly: true, secure: this.secure, sameSite: 'lax', path, ...(maxAgeMs ? { maxAge: maxAgeMs } : {}) });
  }

  clearCookie(response: Response, name: string, path = '/console'): void {
    response.clearCookie(name, { httpOnly: true, secure: this.secure, sameSite: 'lax', path });
  }

  private expiryFrom(createdAt: Date, at: Date): Date {
    return new Date(Math.min(createdAt.getTime() + this.config.console.sessionMaxMs, at.getTime() + this.config.console.idleTimeoutMs));
  }

  /** Opens a session for the user, replacing the browser's previous one. */
  async open(request: Request, response: Response, userId: string, via: 'password' | 'oidc'): Promise<void> {
    const previous = this.cookies(request)[SESSION_COOKIE];
    const at = this.now();
    const { token } = await this.tx.run(async () => {
      if (previous) await this.repository.closeSession((await this.repository.findSession(previous))?.idHash ?? '');
      await this.repository.purgeSessions(at);
      return this.repository.openSession(userId, at, this.expiryFrom(at, at), via, request.ip ?? null);
    });
    this.setCookie(response, SESSION_COOKIE, token);
  }

  /** The browser's live session, touched; `expired` when it had one that timed out. */
  async current(request: Request): Promise<{ session: ConsoleSession | null; expired: boolean }> {
    const token = this.cookies(request)[SESSION_COOKIE];
    if (!token) return { session: null, expired: false };
    const session = await this.repository.findSession(token);
    if (!session) return { session: null, expired: true };
    const at = this.now();
    if (session.expiresAt.getTime() <= at.getTime() || session.user.disabledAt) {
      await this.repository.closeSession(session.idHash);
      return { session: null, expired: true };
    }
    const expiresAt = this.expiryFrom(session.createdAt, at);
    await this.repository.touchSession(session.idHash, at, expiresAt);
    return { session: { ...session, lastSeenAt: at, expiresAt }, expired: false };
  }

  async close(request: Request, response: Response): Promise<ConsoleSession | null> {
    const token = this.cookies(request)[SESSION_COOKIE];
    const session = token ? await this.repository.findSession(token) : null;
    if (session) await this.repository.closeSession(session.idHash);
    this.clearCookie(response, SESSION_COOKIE);
    return session;
  }

  /**
   * A form post comes from a console page: its Origin (sent by every current browser on a POST)
   * is ours, when given. Cross-site posts carry no session cookie either (SameSite=Lax).
   */
  sameOrigin(request: Request): boolean {
    if (request.headers['sec-fetch-site'] === 'cross-site') return false;
    const origin = request.headers.origin;
    if (origin === undefined) return true;
    const host = request.headers.host;
    return origin === this.origin || (host !== undefined && (origin === `http://${host}` || origin === `https://${host}`));
  }
}

const isRead = (method: string) => method === 'GET' || method === 'HEAD';

/**
 * Every console route: a live session (else the login page), the password changed after a
 * one-time one, one of the route's roles (else 403), and on every post the session's
 * synchronizer token in the `_csrf` field and our own Origin (else 403).
 */
@Injectable()
export class ConsoleGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly sessions: ConsoleSessions,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<ConsoleRequest>();
    const meta = <T>(key: string) => this.reflector.getAllAndOverride<T | undefined>(key, [context.getHandler(), context.getClass()]);
    const anonymous = meta<boolean>('console:anonymous') === true;
    if (!isRead(request.method) && !this.sessions.sameOrigin(request)) {
      throw new ConsoleForbidden('Demande refusée', 'Ce formulaire ne vient pas de la console : la demande a été refusée.');
    }
    const { session, expired } = await this.sessions.current(request);
    if (session) request.consoleSession = session;
    if (anonymous) return true;
    if (!session) throw new ConsoleLoginRequired(expired);
    if (!isRead(request.method) && !sameToken((request.body as Record<string, unknown> | undefined)?._csrf, session.csrfSecret)) {
      throw new ConsoleForbidden(
        'Demande refusée',
        'Le jeton de sécurité du formulaire manque ou ne correspond pas à votre session. Rechargez la page et recommencez.',
      );
    }
    if (session.user.mustChangePassword && meta<boolean>('console:password-change') !== true) throw new ConsolePasswordChangeRequired();
    const roles = meta<ConsoleRole[]>('console:roles');
    if (roles && !roles.some((role) => session.user.roles.includes(role))) {
      throw new ConsoleForbidden(
        'Accès refusé',
        'Votre rôle ne donne pas accès à cette page. Demandez à votre administrateur si vous en avez besoin.',
      );
    }
    return true;
  }
}

/** The token forms carry: the session's synchronizer token. */
export const csrfOf = (session: ConsoleSession | undefined): string | undefined => session?.csrfSecret;
