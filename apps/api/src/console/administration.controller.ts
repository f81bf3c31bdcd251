import { Body, Controller, Get, NotFoundException, Param, ParseUUIDPipe, Post, Req, Res, UseFilters, UseGuards } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import {
  API_KEY_SCOPES,
  API_KEY_SCOPE_LABELS,
  ApiKeyRepository,
  CONSOLE_ROLES,
  CONSOLE_ROLE_LABELS,
  ConsoleRepository,
  TransactionContext,
  hashPassword,
  apiKeyScopesFrom,
  consoleRolesFrom,
  isConsoleLogin,
  oneTimePassword,
} from '@diapason/persistence';
import { Public } from '../common/auth';
import { ConsoleGuard, ConsoleRoles, ConsoleSessions } from './console-auth';
import type { ConsoleRequest } from './console-auth';
import { ConsoleFilter } from './console.filter';
import { SafeHtml, html } from './html';
import { PageContext, csrfField, dataTable, layout } from './layout';
import { sendPage } from './send-page';

type Form = Record<string, string | string[] | undefined>;
const list = (value: string | string[] | undefined) => (Array.isArray(value) ? value : value ? [value] : []);
const text = (value: string | string[] | undefined) => (typeof value === 'string' ? value.trim() : '');
const when = (at: Date | null) => (at ? at.toLocaleString('fr-FR', { dateStyle: 'short', timeStyle: 'short', timeZone: 'Europe/Paris' }) : '');

/** The administrator's pages: users and roles, GAP API keys, the audit log. */
@ApiExcludeController()
@Public()
@UseGuards(ConsoleGuard)
@UseFilters(ConsoleFilter)
@ConsoleRoles('administrateur')
@Controller('console/administration')
export class ConsoleAdministrationController {
  constructor(
    private readonly repository: ConsoleRepository,
    private readonly apiKeys: ApiKeyRepository,
    private readonly sessions: ConsoleSessions,
    private readonly tx: TransactionContext,
  ) {}

  private context(req: ConsoleRequest): PageContext {
    return { user: req.consoleSession!.user, csrf: req.consoleSession!.csrfSecret, path: req.path };
  }

  private audit(req: ConsoleRequest, action: string, target: string, detail: Record<string, unknown> = {}) {
    const user = req.consoleSession!.user;
    return this.repository.audit({
      at: this.sessions.now(),
      establishmentId: user.establishmentId,
      userId: user.id,
      login: user.login,
      action,
      target,
      detail,
      ip: req.ip ?? null,
    });
  }

  @Get()
  index(@Req() req: ConsoleRequest, @Res() res: Response): void {
    sendPage(
      res,
      layout(
        'Administration',
        this.context(req),
        html`<h1>Administration</h1>
          <ul class="card">
            <li><a href="/console/administration/utilisateurs">Utilisateurs et rôles</a></li>
            <li><a href="/console/administration/cles-api">Clés d’API de la GAP</a></li>
            <li><a href="/console/administration/journal">Journal des actions de la console</a></li>
          </ul>`,
      ),
    );
  }

  private async usersPage(req: ConsoleRequest, res: Response, message?: SafeHtml, status = 200): Promise<void> {
    const context = this.context(req);
    const me = context.user!;
    const users = await this.repository.listUsers(me.establishmentId);
    const rows = users.map(
      (u) =>
        html`<tr>
          <td>${u.login}</td>
          <td>${u.displayName ?? ''}</td>
          <td>${u.roles.map((r) => CONSOLE_ROLE_LABELS[r]).join(', ')}</td>
          <td>${u.oidcSubject ? 'Annuaire' : 'Local'}</td>
          <td>
            ${u.disabledAt ? `Désactivé le ${when(u.disabledAt)}` : u.lockedUntil && u.lockedUntil > this.sessions.now() ? `Bloqué jusqu’au ${when(u.lockedUntil)}` : 'Actif'}
          </td>
          <td>${when(u.lastLoginAt)}</td>
          <td>
            ${
              u.id === me.id
                ? ''
                : html`<form method="post" action="/console/administration/utilisateurs/${u.id}/${u.disabledAt ? 'reactiver' : 'desactiver'}">
                    ${csrfField(context.csrf)}<button
                      class="${u.disabledAt ? 'secondary' : 'danger'}"
                      type="submit"
                      aria-label="${u.disabledAt ? 'Réactiver' : 'Désactiver'} ${u.login}"
                    >
                      ${u.disabledAt ? 'Réactiver' : 'Désactiver'}
                    </button>
                  </form>`
            }
          </td>
        </tr>`,
    );
    sendPage(
      res,
      layout(
        'Utilisateurs',
        context,
        html`<h1>Utilisateurs et rôles</h1>
          ${message ?? ''}
          ${dataTable(`Comptes de l’établissement ${me.establishmentCode}`, ['Identifiant', 'Nom', 'Rôles', 'Compte', 'État', 'Dernière connexion', 'Action'], rows, { captionClass: null })}
          <h2>Créer un compte local</h2>
          <form method="post" action="/console/administration/utilisateurs" class="card">
            ${csrfField(context.csrf)}
            <label for="identifiant">Identifiant <span class="hint">Lettres, chiffres, . _ @ -</span></label>
            <input id="identifiant" name="identifiant" type="text" required maxlength="100" autocomplete="off" />
            <label for="nom">Nom affiché</label>
            <input id="nom" name="nom" type="text" maxlength="200" autocomplete="off" />
            <fieldset>
              <legend>Rôles</legend>
              ${CONSOLE_ROLES.map((r) => html`<input type="checkbox" id="role-${r}" name="roles" value="${r}" /><label for="role-${r}">${CONSOLE_ROLE_LABELS[r]}</label>`)}
            </fieldset>
            <button class="primary" type="submit">Créer le compte</button>
          </form>`,
      ),
      status,
    );
  }

  @Get('utilisateurs')
  users(@Req() req: ConsoleRequest, @Res() res: Response): Promise<void> {
    return this.usersPage(req, res);
  }

  @Post('utilisateurs')
  async createUser(@Req() req: ConsoleRequest, @Res() res: Response, @Body() form: Form): Promise<void> {
    const me = req.consoleSession!.user;
    const login = text(form.identifiant);
    const { roles, unknown } = consoleRolesFrom(list(form.roles));
    const error = (message: string) => this.usersPage(req, res, html`<p class="error" role="alert">${message}</p>`, 400);
    if (!isConsoleLogin(login)) return error('Identifiant invalide : lettres, chiffres, . _ @ -, 100 caractères au plus.');
    if (roles.length === 0 || unknown.length > 0) return error('Choisissez au moins un rôle.');
    const password = oneTimePassword();
    const passwordHash = await hashPassword(password);
    const created = await this.tx.run(async () => {
      if (await this.repository.findUserByLogin(me.establishmentId, login)) return false;
      await this.repository.createUser({
        establishmentId: me.establishmentId,
        login,
        roles,
        displayName: text(form.nom).slice(0, 200) || null,
        passwordHash,
        mustChangePassword: true,
      });
      await this.audit(req, 'user.create', login, { roles });
      return true;
    });
    if (!created) return error(`Le compte « ${login} » existe déjà.`);
    return this.usersPage(
      req,
      res,
      html`<div class="notice" role="status">
        <p>Compte « ${login} » créé. Mot de passe à usage unique, à remettre à la personne (il ne sera plus affiché) :</p>
        <p class="secret">${password}</p>
      </div>`,
    );
  }

  @Post('utilisateurs/:id/:action')
  async toggleUser(
    @Req() req: ConsoleRequest,
    @Res() res: Response,
    @Param('id', new ParseUUIDPipe()) id: string,
    @Param('action') action: string,
  ): Promise<void> {
    const me = req.consoleSession!.user;
    if (action !== 'desactiver' && action !== 'reactiver') throw new NotFoundException();
    if (id === me.id)
      return this.usersPage(req, res, html`<p class="error" role="alert">Vous ne pouvez pas désactiver votre propre compte.</p>`, 400);
    const target = await this.repository.findUser(id);
    if (!target || target.establishmentId !== me.establishmentId) throw new NotFoundException();
    await this.tx.run(async () => {
      await this.repository.setDisabled(me.establishmentId, id, action === 'desactiver' ? this.sessions.now() : null);
      await this.audit(req, action === 'desactiver' ? 'user.disable' : 'user.enable', target.login);
    });
    res.redirect(303, '/console/administration/utilisateurs');
  }

  private async keysPage(req: ConsoleRequest, res: Response, message?: SafeHtml, status = 200): Promise<void> {
    const context = this.context(req);
    const keys = await this.apiKeys.list(context.user!.establishmentId);
    const rows = keys.map(
      (k) =>
        html`<tr>
          <td><code>${k.prefix}…</code></td>
          <td>${k.label ?? ''}</td>
          <td>${k.scopes.join(', ')}</td>
          <td>${when(k.createdAt)}</td>
          <td>${k.revokedAt ? `Révoquée le ${when(k.revokedAt)}` : 'Active'}</td>
          <td>
            ${k.revokedAt ? '' : html`<form method="post" action="/console/administration/cles-api/${k.id}/revoquer">${csrfField(context.csrf)}<button class="danger" type="submit" aria-label="Révoquer la clé ${k.prefix}">Révoquer</button></form>`}
          </td>
        </tr>`,
    );
    sendPage(
      res,
      layout(
        'Clés d’API',
        context,
        html`<h1>Clés d’API de la GAP</h1>
          ${message ?? ''}
          ${dataTable(`Clés de l’établissement ${context.user!.establishmentCode} (seul leur début est conservé lisible)`, ['Début', 'Libellé', 'Portées', 'Créée le', 'État', 'Action'], rows, { captionClass: null })}
          <h2>Créer une clé</h2>
          <form method="post" action="/console/administration/cles-api" class="card">
            ${csrfField(context.csrf)}
            <label for="libelle">Libellé <span class="hint">Logiciel et environnement, ex. GAP production</span></label>
            <input id="libelle" name="libelle" type="text" maxlength="100" autocomplete="off" />
            <fieldset>
              <legend>Portées</legend>
              ${API_KEY_SCOPES.map((s) => html`<input type="checkbox" id="portee-${s}" name="portees" value="${s}" ${s === 'dossiers' ? html` checked` : ''} /><label for="portee-${s}">${s} (${API_KEY_SCOPE_LABELS[s]})</label><br />`)}
            </fieldset>
            <button class="primary" type="submit">Créer la clé</button>
          </form>`,
      ),
      status,
    );
  }

  @Get('cles-api')
  keys(@Req() req: ConsoleRequest, @Res() res: Response): Promise<void> {
    return this.keysPage(req, res);
  }

  @Post('cles-api')
  async createKey(@Req() req: ConsoleRequest, @Res() res: Response, @Body() form: Form): Promise<void> {
    const { scopes, unknown } = apiKeyScopesFrom(list(form.portees));
    if (scopes.length === 0 || unknown.length > 0) {
      return this.keysPage(req, res, html`<p class="error" role="alert">Choisissez au moins une portée.</p>`, 400);
    }
    const label = text(form.libelle).slice(0, 100) || null;
    const { key } = await this.tx.run(async () => {
      const created = await this.apiKeys.create(req.consoleSession!.user.establishmentId, { label, scopes });
      await this.audit(req, 'api_key.create', created.key.slice(0, 12), { scopes, label });
      return created;
    });
    return this.keysPage(
      req,
      res,
      html`<div class="notice" role="status">
        <p>Clé créée. Copiez-la maintenant dans la GAP : elle ne sera plus affichée.</p>
        <p class="secret">${key}</p>
      </div>`,
    );
  }

  @Post('cles-api/:id/revoquer')
  async revokeKey(@Req() req: ConsoleRequest, @Res() res: Response, @Param('id', new ParseUUIDPipe()) id: string): Promise<void> {
    const me = req.consoleSession!.user;
    const key = (await this.apiKeys.list(me.establishmentId)).find((k) => k.id === id);
    if (!key) throw new NotFoundException();
    await this.tx.run(async () => {
      await this.apiKeys.revoke(me.establishmentId, id, this.sessions.now());
      await this.audit(req, 'api_key.revoke', key.prefix);
    });
    res.redirect(303, '/console/administration/cles-api');
  }

  @Get('journal')
  async journal(@Req() req: ConsoleRequest, @Res() res: Response): Promise<void> {
    const context = this.context(req);
    const entries = await this.repository.listAudit(context.user!.establishmentId);
    sendPage(
      res,
      layout(
        'Journal',
        context,
        html`<h1>Journal des actions de la console</h1>
          ${dataTable(
            'Les 200 dernières actions (qui, quoi, quand, depuis quelle adresse)',
            ['Quand', 'Qui', 'Action', 'Objet', 'Adresse'],
            entries.map(
              (e) =>
                html`<tr>
                  <td>${when(e.at)}</td>
                  <td>${e.login ?? '—'}</td>
                  <td>${e.action}</td>
                  <td>${e.target ?? ''}</td>
                  <td>${e.ip ?? ''}</td>
                </tr>`,
            ),
            { captionClass: null },
          )}`,
      ),
    );
  }
}
