import { randomBytes } from 'node:crypto';
import { All, Body, Controller, Get, Inject, NotFoundException, Post, Query, Req, Res, UseFilters, UseGuards } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import { DIAPASON_CONFIG } from '@diapason/config';
import type { DiapasonConfig } from '@diapason/config';
import {
  ConsoleRepository,
  EstablishmentRepository,
  TransactionContext,
  hashPassword,
  lockoutDelayMs,
  passwordProblem,
  verifyPassword,
} from '@diapason/persistence';
import { Public } from '../common/auth';
import {
  AnonymousConsole,
  ConsoleGuard,
  ConsoleSessions,
  DuringPasswordChange,
  LOGIN_CSRF_COOKIE,
  OIDC_COOKIE,
  csrfOf,
  sameToken,
} from './console-auth';
import type { ConsoleRequest } from './console-auth';
import { ConsoleFilter } from './console.filter';
import { errorPage, CONSOLE_CSS, homeOf } from './layout';
import { loginPage, passwordPage } from './auth-pages';
import { DirectoryUnavailable, OIDC_CALLBACK_PATH, OidcLogin } from './oidc-login';
import { sendPage } from './send-page';

type Form = Record<string, string | undefined>;
const field = (form: Form | undefined, name: string) => (typeof form?.[name] === 'string' ? form[name] : '');
const time = (at: Date) => at.toLocaleTimeString('fr-FR', { hour: '2-digit', minute: '2-digit', timeZone: 'Europe/Paris' });

/** A hash to verify against when the account does not exist, so that both answers take as long. */
let dummyHash: Promise<string> | undefined;

/** Login (local and directory), logout, password, home: what every console user goes through. */
@ApiExcludeController()
@Public()
@UseGuards(ConsoleGuard)
@UseFilters(ConsoleFilter)
@Controller('console')
export class ConsoleAuthController {
  constructor(
    @Inject(DIAPASON_CONFIG) private readonly config: DiapasonConfig,
    private readonly sessions: ConsoleSessions,
    private readonly repository: ConsoleRepository,
    private readonly establishments: EstablishmentRepository,
    private readonly tx: TransactionContext,
    private readonly oidc: OidcLogin,
  ) {}

  private audit(
    request: ConsoleRequest,
    action: string,
    fields: {
      establishmentId?: string | null;
      userId?: string | null;
      login?: string | null;
      target?: string | null;
      detail?: Record<string, unknown>;
    },
  ) {
    return this.repository.audit({
      at: this.sessions.now(),
      establishmentId: fields.establishmentId ?? null,
      userId: fields.userId ?? null,
      login: fields.login ?? null,
      action,
      target: fields.target ?? null,
      detail: fields.detail,
      ip: request.ip ?? null,
    });
  }

  @AnonymousConsole()
  @Get('style.css')
  style(@Res() res: Response): void {
    res.setHeader('Cache-Control', 'public, max-age=3600');
    res.type('css').send(CONSOLE_CSS);
  }

  @Get()
  home(@Req() req: ConsoleRequest, @Res() res: Response): void {
    const user = req.consoleSession!.user;
    const home = homeOf(user.roles);
    if (home) return res.redirect(303, home);
    sendPage(
      res,
      errorPage('Accès refusé', 'Votre compte n’a aucun rôle dans la console. Demandez à votre administrateur de vous en donner un.', {
        user,
        csrf: csrfOf(req.consoleSession),
      }),
      403,
    );
  }

  private renderLogin(res: Response, status: number, form: { establishment?: string; login?: string; error?: string; info?: string }) {
    const csrf = randomBytes(24).toString('base64url');
    this.sessions.setCookie(res, LOGIN_CSRF_COOKIE, csrf, '/console/connexion');
    sendPage(res, loginPage({ csrf, sso: this.oidc.enabled, ...form }), status);
  }

  @AnonymousConsole()
  @Get('connexion')
  loginForm(@Req() req: ConsoleRequest, @Res() res: Response, @Query('expiree') expired?: string, @Query('deconnecte') loggedOut?: string): void {
    if (req.consoleSession && !req.consoleSession.user.mustChangePassword) return res.redirect(303, '/console');
    const info = expired
      ? 'Votre session a expiré après une période d’inactivité : reconnectez-vous.'
      : loggedOut
        ? 'Vous êtes déconnecté.'
        : undefined;
    this.renderLogin(res, 200, { info });
  }

  @AnonymousConsole()
  @Post('connexion')
  async login(@Req() req: ConsoleRequest, @Res() res: Response, @Body() form: Form): Promise<void> {
    const establishmentCode = field(form, 'etablissement').trim();
    const login = field(form, 'identifiant').trim();
    const password = field(form, 'mot_de_passe');
    const expected = this.sessions.cookies(req)[LOGIN_CSRF_COOKIE];
    if (!expected || !sameToken(form?._csrf, expected)) {
      return this.renderLogin(res, 403, {
        establishment: establishmentCode,
        login,
        error: 'Le formulaire a expiré ou ne vient pas de cette page : recommencez.',
      });
    }
    const wrong = 'Établissement, identifiant ou mot de passe incorrect.';
    if (!establishmentCode || !login || !password) {
      return this.renderLogin(res, 400, {
        establishment: establishmentCode,
        login,
        error: 'Renseignez l’établissement, l’identifiant et le mot de passe.',
      });
    }
    const establishment = await this.establishments.findByCode(establishmentCode);
    const user = establishment ? await this.repository.findUserByLogin(establishment.id, login) : null;
    const now = this.sessions.now();
    if (!user || !user.passwordHash || user.disabledAt) {
      dummyHash ??= hashPassword(randomBytes(16).toString('hex'));
      await verifyPassword(await dummyHash, password);
      await this.audit(req, 'login.failure', {
        establishmentId: establishment?.id,
        login: login.slice(0, 100),
        detail: { reason: user ? 'no_password_or_disabled' : 'unknown' },
      });
      return this.renderLogin(res, 401, { establishment: establishmentCode, login, error: wrong });
    }
    if (user.lockedUntil && user.lockedUntil.getTime() > now.getTime()) {
      await this.audit(req, 'login.locked', { establishmentId: user.establishmentId, userId: user.id, login: user.login });
      return this.renderLogin(res, 429, {
        establishment: establishmentCode,
        login,
        error: `Compte bloqué après plusieurs mots de passe erronés : réessayez après ${time(user.lockedUntil)}.`,
      });
    }
    if (!(await verifyPassword(user.passwordHash, password))) {
      const { threshold, delay } = { threshold: this.config.console.lockoutThreshold, delay: this.config.console.lockoutDelayMs };
      const result = await this.repository.recordFailure(user.id, (failed) => {
        const ms = lockoutDelayMs(failed, threshold, delay);
        return ms > 0 ? new Date(now.getTime() + ms) : null;
      });
      await this.audit(req, 'login.failure', {
        establishmentId: user.establishmentId,
        userId: user.id,
        login: user.login,
        detail: { failedAttempts: result.failedAttempts },
      });
      return this.renderLogin(res, 401, {
        establishment: establishmentCode,
        login,
        error: result.lockedUntil ? `${wrong} Compte bloqué jusqu’à ${time(result.lockedUntil)}.` : wrong,
      });
    }
    await this.repository.recordLogin(user.id, now);
    await this.sessions.open(req, res, user.id, 'password');
    this.sessions.clearCookie(res, LOGIN_CSRF_COOKIE, '/console/connexion');
    await this.audit(req, 'login', { establishmentId: user.establishmentId, userId: user.id, login: user.login, detail: { via: 'password' } });
    res.redirect(303, user.mustChangePassword ? '/console/mot-de-passe' : '/console');
  }

  @AnonymousConsole()
  @Get('connexion/oidc')
  async oidcStart(@Res() res: Response): Promise<void> {
    if (!this.oidc.enabled) throw new NotFoundException();
    let started;
    try {
      started = await this.oidc.start();
    } catch (error) {
      if (!(error instanceof DirectoryUnavailable)) throw error;
      return this.renderLogin(res, 503, {
        error: 'L’annuaire de l’établissement ne répond pas : réessayez plus tard ou connectez-vous avec un compte local.',
      });
    }
    const { token } = await this.repository.saveOidcRequest(started, new Date(this.sessions.now().getTime() + 10 * 60_000));
    this.sessions.setCookie(res, OIDC_COOKIE, token, '/console/connexion/oidc', 10 * 60_000);
    res.redirect(303, started.url.href);
  }

  @AnonymousConsole()
  @Get('connexion/oidc/retour')
  async oidcCallback(@Req() req: ConsoleRequest, @Res() res: Response): Promise<void> {
    if (!this.oidc.enabled) throw new NotFoundException();
    const token = this.sessions.cookies(req)[OIDC_COOKIE];
    this.sessions.clearCookie(res, OIDC_COOKIE, '/console/connexion/oidc');
    const checks = token ? await this.repository.takeOidcRequest(token, this.sessions.now()) : null;
    const query = req.query as Record<string, unknown>;
    if (query.error === 'access_denied') return this.renderLogin(res, 200, { info: 'Connexion par l’annuaire annulée.' });
    if (!checks) return this.renderLogin(res, 400, { error: 'Cette connexion par l’annuaire a expiré ou n’a pas commencé ici : recommencez.' });
    let identity;
    try {
      identity = await this.oidc.finish(new URL(req.originalUrl, `${this.config.http.publicBaseUrl}${OIDC_CALLBACK_PATH}`), checks);
    } catch (error) {
      if (error instanceof DirectoryUnavailable) {
        return this.renderLogin(res, 503, { error: 'L’annuaire de l’établissement ne répond pas : réessayez plus tard.' });
      }
      await this.audit(req, 'login.oidc_failure', { detail: { error: error instanceof Error ? error.message.slice(0, 200) : 'unknown' } });
      return this.renderLogin(res, 400, { error: 'La connexion par l’annuaire a échoué : recommencez.' });
    }
    const establishment = identity.establishmentCode ? await this.establishments.findByCode(identity.establishmentCode) : null;
    const forbidden = (title: string, reason: string) => sendPage(res, errorPage(title, reason, {}), 403);
    if (!establishment) {
      await this.audit(req, 'login.refused', {
        login: identity.login,
        detail: { reason: 'unknown_establishment', establishment: identity.establishmentCode },
      });
      return forbidden('Accès refusé', 'Votre établissement n’utilise pas cette console DIAPASON. Adressez-vous à votre administrateur.');
    }
    if (identity.roles.length === 0) {
      await this.audit(req, 'login.refused', {
        establishmentId: establishment.id,
        login: identity.login,
        detail: { reason: 'no_role', unknownRoles: identity.unknownRoles.slice(0, 10) },
      });
      return forbidden(
        'Accès refusé',
        'L’annuaire ne vous donne aucun rôle de la console (caissier, régisseur, comptable ou administrateur). Demandez-le à votre administrateur.',
      );
    }
    const user = await this.tx.run(async () => {
      const found =
        (await this.repository.findUserBySubject(establishment.id, identity.subject)) ??
        // A local account of the same login, never linked yet, becomes this directory account.
        (await this.repository.findUserByLogin(establishment.id, identity.login).then((u) => (u && !u.oidcSubject ? u : null)));
      if (!found) {
        return this.repository.createUser({
          establishmentId: establishment.id,
          login: identity.login,
          roles: identity.roles,
          displayName: identity.displayName,
          oidcSubject: identity.subject,
        });
      }
      await this.repository.updateFromDirectory(found.id, { roles: identity.roles, displayName: identity.displayName, subject: identity.subject });
      return found;
    });
    if (user.disabledAt) {
      await this.audit(req, 'login.refused', {
        establishmentId: establishment.id,
        userId: user.id,
        login: user.login,
        detail: { reason: 'disabled' },
      });
      return forbidden('Accès refusé', 'Votre compte de la console est désactivé. Adressez-vous à votre administrateur.');
    }
    await this.repository.recordLogin(user.id, this.sessions.now());
    await this.sessions.open(req, res, user.id, 'oidc');
    await this.audit(req, 'login', {
      establishmentId: establishment.id,
      userId: user.id,
      login: user.login,
      detail: { via: 'oidc', roles: identity.roles },
    });
    res.redirect(303, '/console');
  }

  @DuringPasswordChange()
  @Post('deconnexion')
  async logout(@Req() req: ConsoleRequest, @Res() res: Response): Promise<void> {
    const session = await this.sessions.close(req, res);
    if (session)
      await this.audit(req, 'logout', { establishmentId: session.user.establishmentId, userId: session.user.id, login: session.user.login });
    res.redirect(303, '/console/connexion?deconnecte=1');
  }

  @DuringPasswordChange()
  @Get('mot-de-passe')
  passwordForm(@Req() req: ConsoleRequest, @Res() res: Response): void {
    const session = req.consoleSession!;
    if (!session.user.passwordHash) throw new NotFoundException();
    sendPage(res, passwordPage({ user: session.user, csrf: session.csrfSecret, path: '/console/mot-de-passe' }, session.user.mustChangePassword));
  }

  @DuringPasswordChange()
  @Post('mot-de-passe')
  async changePassword(@Req() req: ConsoleRequest, @Res() res: Response, @Body() form: Form): Promise<void> {
    const session = req.consoleSession!;
    const user = session.user;
    if (!user.passwordHash) throw new NotFoundException();
    const context = { user, csrf: session.csrfSecret, path: '/console/mot-de-passe' };
    const again = (error: string, status = 400) => sendPage(res, passwordPage(context, user.mustChangePassword, error), status);
    if (!(await verifyPassword(user.passwordHash, field(form, 'actuel')))) return again('Le mot de passe actuel est incorrect.', 401);
    const next = field(form, 'nouveau');
    if (next !== field(form, 'confirmation')) return again('La confirmation ne correspond pas au nouveau mot de passe.');
    const problem = passwordProblem(next, user.login);
    if (problem) return again(problem);
    if (next === field(form, 'actuel')) return again('Le nouveau mot de passe doit être différent de l’actuel.');
    await this.repository.setPassword(user.id, await hashPassword(next), false);
    await this.audit(req, 'password.change', { establishmentId: user.establishmentId, userId: user.id, login: user.login });
    res.redirect(303, '/console');
  }
}

/** Any other address under /console: a French 404 page (after the session check). Registered last. */
@ApiExcludeController()
@Public()
@UseGuards(ConsoleGuard)
@UseFilters(ConsoleFilter)
@Controller('console')
export class ConsoleFallbackController {
  @All('*path')
  unknown(): never {
    throw new NotFoundException();
  }
}
