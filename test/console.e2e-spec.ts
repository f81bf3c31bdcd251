import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Browser, BrowserContext, Page, chromium } from 'playwright-core';
import { ConsoleRepository, ConsoleRole, EstablishmentRepository, TransactionContext, hashPassword } from '@diapason/persistence';
import { DEMO_USERS, OidcProviderSimulator, startOidcProvider } from '../simulators/oidc';
import { ApiHarness, startApi } from './support/api-harness';

/** Issue 10, point 1 (and the shell of points 4, 6, 7): the Régie console in a real headless Chromium. */

const ARTIFACTS = join(__dirname, '..', 'test-artifacts', 'console');
const PASSWORD = 'Guichet-Secret-2026';

/** Every section route, and the roles that open it. */
const ROUTES: { path: string; roles: ConsoleRole[] }[] = [
  { path: '/console/guichet', roles: ['caissier'] },
  { path: '/console/a-traiter', roles: ['regisseur'] },
  { path: '/console/comptabilite', roles: ['comptable'] },
  { path: '/console/administration', roles: ['administrateur'] },
  { path: '/console/administration/utilisateurs', roles: ['administrateur'] },
  { path: '/console/administration/cles-api', roles: ['administrateur'] },
  { path: '/console/administration/journal', roles: ['administrateur'] },
];
const HOME: Record<ConsoleRole, string> = {
  caissier: '/console/guichet',
  regisseur: '/console/a-traiter',
  comptable: '/console/comptabilite',
  administrateur: '/console/administration',
};

describe('Régie console (headless Chromium)', () => {
  let api: ApiHarness;
  let op: OidcProviderSimulator;
  let browser: Browser;
  let establishmentId: string;
  const axeViolations: { page: string; ids: string[] }[] = [];

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    op = await startOidcProvider();
    op.addUser({ login: 'nina.roux', password: 'demo-visiteur', givenName: 'Nina', familyName: 'Roux', roles: ['visiteur'], establishment: 'DEMO' });
    api = await startApi({
      env: {
        DIAPASON_OIDC_ISSUER: op.issuer,
        DIAPASON_OIDC_CLIENT_ID: 'diapason-console',
        DIAPASON_OIDC_CLIENT_SECRET: 'diapason-console-secret-de-demonstration',
        DIAPASON_CONSOLE_LOCKOUT_THRESHOLD: '3',
        DIAPASON_CONSOLE_IDLE_TIMEOUT: '30m',
      },
    });
    const tx = api.app.get(TransactionContext);
    establishmentId = (await new EstablishmentRepository(tx).ensure('DEMO', 'Centre hospitalier de démonstration')).id;
    const users = api.app.get(ConsoleRepository);
    const hash = await hashPassword(PASSWORD);
    for (const role of ['caissier', 'regisseur', 'comptable', 'administrateur'] as const) {
      await users.createUser({ establishmentId, login: `local.${role}`, roles: [role], passwordHash: hash });
    }
    browser = await chromium.launch({
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
  });
  afterAll(async () => {
    await browser?.close();
    await api?.close();
    await op?.stop();
  });

  // The console's CSP forbids any script: the checker's context lifts it to inject axe-core.
  const newContext = () => browser.newContext({ locale: 'fr-FR', bypassCSP: true });
  const path = (page: Page) => new URL(page.url()).pathname;

  async function checkAxe(page: Page, name: string): Promise<void> {
    await page.addScriptTag({ path: require.resolve('axe-core/axe.min.js') });
    const ids = await page.evaluate(async () => {
      const g = globalThis as any;
      const result = await g.axe.run(g.document, { runOnly: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] });
      return result.violations.filter((v: any) => v.impact === 'serious' || v.impact === 'critical').map((v: any) => v.id);
    });
    axeViolations.push({ page: name, ids });
    await page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
  }

  async function localLogin(context: BrowserContext, login: string, password = PASSWORD): Promise<Page> {
    const page = await context.newPage();
    await page.goto(`${api.url}/console`);
    expect(path(page)).toBe('/console/connexion');
    await page.fill('#etablissement', 'DEMO');
    await page.fill('#identifiant', login);
    await page.fill('#mot-de-passe', password);
    await Promise.all([page.waitForLoadState(), page.click('button[type=submit]')]);
    return page;
  }

  it('serves its pages with their own CSP, out of the GAP API document', async () => {
    const res = await fetch(`${api.url}/console/connexion`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(res.headers.get('content-security-policy')).toContain("style-src 'self'");
    expect(res.headers.get('cache-control')).toBe('no-store');
    const cookie = res.headers.getSetCookie().join('\n');
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Lax/);
    expect(cookie).not.toMatch(/Secure/); // http here; Secure when DIAPASON_PUBLIC_URL is https
    const doc = (await (await fetch(`${api.url}/docs-json`)).json()) as { paths: Record<string, unknown> };
    expect(Object.keys(doc.paths).filter((p) => p.startsWith('/console'))).toEqual([]);
  });

  it('local account: one-time password, forced password change, home by role, logout', async () => {
    const users = api.app.get(ConsoleRepository);
    await users.createUser({
      establishmentId,
      login: 'nouveau.caissier',
      roles: ['caissier'],
      passwordHash: await hashPassword('abcde-FGHJK-23456-mnpqr'),
      mustChangePassword: true,
    });
    const context = await newContext();
    const login = await context.newPage();
    await login.goto(`${api.url}/console/connexion`);
    await checkAxe(login, 'connexion');
    await login.close();
    const page = await localLogin(context, 'nouveau.caissier', 'abcde-FGHJK-23456-mnpqr');
    expect(path(page)).toBe('/console/mot-de-passe');
    await checkAxe(page, 'mot-de-passe-premiere-connexion');
    // Any other page sends back to the password form.
    await page.goto(`${api.url}/console/guichet`);
    expect(path(page)).toBe('/console/mot-de-passe');
    await page.fill('#actuel', 'abcde-FGHJK-23456-mnpqr');
    await page.fill('#nouveau', 'court');
    await page.fill('#confirmation', 'court');
    await page.evaluate(() => (globalThis as any).document.querySelector('#nouveau').removeAttribute('minlength'));
    await Promise.all([page.waitForLoadState(), page.click('main button[type=submit]')]);
    expect(await page.textContent('.error')).toContain('au moins 12');
    await page.fill('#actuel', 'abcde-FGHJK-23456-mnpqr');
    await page.fill('#nouveau', 'Mon-Nouveau-Secret-1');
    await page.fill('#confirmation', 'Mon-Nouveau-Secret-1');
    await Promise.all([page.waitForURL('**/console/guichet'), page.click('main button[type=submit]')]);
    expect(await page.textContent('nav')).toContain('Guichet');
    expect(await page.textContent('nav')).not.toContain('Administration');
    await checkAxe(page, 'guichet');

    await Promise.all([page.waitForURL('**/console/connexion?deconnecte=1'), page.click('header button')]);
    expect(await page.textContent('main')).toContain('Vous êtes déconnecté');
    await page.goto(`${api.url}/console/guichet`);
    expect(path(page)).toBe('/console/connexion');
    const audit = await api.dataSource.query(`SELECT action FROM console_audit WHERE login = 'nouveau.caissier' ORDER BY id`);
    expect(audit.map((a: { action: string }) => a.action)).toEqual(['login', 'password.change', 'logout']);
    await context.close();
  });

  it('locks an account after repeated wrong passwords, for a growing delay', async () => {
    const context = await newContext();
    for (let i = 1; i <= 3; i += 1) {
      const page = await localLogin(context, 'local.comptable', 'Mauvais-Secret-99');
      expect(await page.textContent('.error')).toContain('incorrect');
      if (i === 3) expect(await page.textContent('.error')).toContain('bloqué');
      await page.close();
    }
    const refused = await localLogin(context, 'local.comptable');
    expect(path(refused)).toBe('/console/connexion');
    expect(await refused.textContent('.error')).toContain('Compte bloqué');
    api.clock.advance(61_000);
    const wrongAgain = await localLogin(context, 'local.comptable', 'Mauvais-Secret-99');
    expect(await wrongAgain.textContent('.error')).toContain('bloqué');
    const row = (await api.dataSource.query(`SELECT locked_until FROM console_user WHERE login = 'local.comptable'`))[0];
    // Fourth failure: twice the first delay.
    expect(new Date(row.locked_until).getTime() - api.clock.now().getTime()).toBe(120_000);
    api.clock.advance(121_000);
    const ok = await localLogin(context, 'local.comptable');
    expect(path(ok)).toBe('/console/comptabilite');
    await context.close();
  });

  it('refuses a form without the CSRF token, and one posted from another site', async () => {
    const context = await newContext();
    const page = await localLogin(context, 'local.administrateur');
    expect(path(page)).toBe('/console/administration');
    const noToken = await context.request.post(`${api.url}/console/administration/cles-api`, { form: { portees: 'dossiers' }, maxRedirects: 0 });
    expect(noToken.status()).toBe(403);
    expect(await noToken.text()).toContain('jeton de sécurité');
    const csrf = await page.getAttribute('input[name=_csrf]', 'value');
    const crossSite = await context.request.post(`${api.url}/console/administration/cles-api`, {
      form: { portees: 'dossiers', _csrf: csrf! },
      headers: { origin: 'https://pirate.example' },
      maxRedirects: 0,
    });
    expect(crossSite.status()).toBe(403);
    const loginWithoutToken = await fetch(`${api.url}/console/connexion`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'etablissement=DEMO&identifiant=local.administrateur&mot_de_passe=' + encodeURIComponent(PASSWORD),
      redirect: 'manual',
    });
    expect(loginWithoutToken.status).toBe(403);
    expect(await api.dataSource.query(`SELECT 1 FROM api_key`)).toHaveLength(0);
    await context.close();
  });

  it('administrator: creates a user (one-time password shown once), a GAP key, revokes it; every action in the journal', async () => {
    const context = await newContext();
    const page = await localLogin(context, 'local.administrateur');
    await checkAxe(page, 'administration');
    await page.goto(`${api.url}/console/administration/utilisateurs`);
    await page.fill('#identifiant', 'lea.martin');
    await page.fill('#nom', 'Léa Martin');
    await page.check('#role-regisseur');
    await Promise.all([page.waitForLoadState(), page.click('main form.card button[type=submit]')]);
    const oneTime = (await page.textContent('.secret'))!.trim();
    expect(oneTime).toMatch(/^[A-Za-z0-9]{5}(-[A-Za-z0-9]{5}){3}$/);
    await checkAxe(page, 'administration-utilisateurs');
    await Promise.all([page.waitForLoadState(), page.click('button[aria-label="Désactiver lea.martin"]')]);
    expect(await page.textContent('table')).toContain('Désactivé');

    await page.goto(`${api.url}/console/administration/cles-api`);
    await page.fill('#libelle', 'GAP recette');
    await Promise.all([page.waitForLoadState(), page.click('main form.card button[type=submit]')]);
    const key = (await page.textContent('.secret'))!.trim();
    expect(key).toMatch(/^dpk_/);
    expect((await api.request('GET', '/v1/regies', { key })).status).toBe(200);
    await checkAxe(page, 'administration-cles-api');
    await Promise.all([
      page.waitForURL('**/console/administration/cles-api'),
      page.click(`button[aria-label="Révoquer la clé ${key.slice(0, 12)}"]`),
    ]);
    expect(await page.textContent('table')).toContain('Révoquée');
    // The API remembers valid keys for 10 s (apps/api/src/common/auth.ts): the row is what counts.
    const [revoked] = await api.dataSource.query(`SELECT revoked_at FROM api_key WHERE key_prefix = $1`, [key.slice(0, 12)]);
    expect(revoked.revoked_at).not.toBeNull();

    await page.goto(`${api.url}/console/administration/journal`);
    const journal = await page.textContent('table');
    for (const action of ['user.create', 'user.disable', 'api_key.create', 'api_key.revoke']) expect(journal).toContain(action);
    expect(journal).not.toContain(key);
    await checkAxe(page, 'administration-journal');
    await context.close();
  });

  it('enforces the roles on the server for every route (403 page otherwise)', async () => {
    for (const role of ['caissier', 'regisseur', 'comptable', 'administrateur'] as const) {
      const context = await newContext();
      const page = await localLogin(context, `local.${role}`);
      expect(path(page)).toBe(HOME[role]);
      for (const route of ROUTES) {
        const res = await page.goto(`${api.url}${route.path}`);
        expect({ role, route: route.path, status: res!.status() }).toEqual({
          role,
          route: route.path,
          status: route.roles.includes(role) ? 200 : 403,
        });
        if (res!.status() === 403) expect(await page.textContent('main')).toContain('Accès refusé');
      }
      const post = await page.evaluate(() => (globalThis as any).document.querySelector('input[name=_csrf]').value as string);
      const write = await context.request.post(`${api.url}/console/administration/cles-api`, {
        form: { portees: 'dossiers', _csrf: post },
        maxRedirects: 0,
      });
      expect({ role, status: write.status() }).toEqual({ role, status: role === 'administrateur' ? 200 : 403 });
      if (role === 'caissier') {
        await page.goto(`${api.url}/console/administration`);
        await checkAxe(page, 'refus-403');
      }
      expect((await page.goto(`${api.url}/console/nulle-part`))!.status()).toBe(404);
      await checkAxe(page, HOME[role].slice('/console/'.length).replace('/', '-') + '-404');
      await page.goto(`${api.url}${HOME[role]}`);
      await checkAxe(page, `accueil-${role}`);
      await context.close();
    }
  });

  it('closes a session idle for longer than the timeout', async () => {
    const context = await newContext();
    const page = await localLogin(context, 'local.regisseur');
    expect(path(page)).toBe('/console/a-traiter');
    api.clock.advance(29 * 60_000);
    await page.goto(`${api.url}/console/a-traiter`);
    expect(path(page)).toBe('/console/a-traiter');
    api.clock.advance(31 * 60_000);
    await page.goto(`${api.url}/console/a-traiter`);
    expect(path(page)).toBe('/console/connexion');
    expect(await page.textContent('main')).toContain('inactivité');
    await context.close();
  });

  describe('single sign-on through the directory simulator', () => {
    async function ssoLogin(login: string, password: string): Promise<{ page: Page; context: BrowserContext }> {
      const context = await newContext();
      const page = await context.newPage();
      await page.goto(`${api.url}/console/connexion`);
      await Promise.all([page.waitForURL(`${op.issuer}/**`), page.click('text=Se connecter avec l’annuaire de l’établissement')]);
      await page.fill('#login', login);
      await page.fill('#password', password);
      await Promise.all([page.waitForURL(`${api.url}/**`), page.click('button.principal')]);
      await page.waitForLoadState();
      return { page, context };
    }

    const cases = [...DEMO_USERS.map((u) => ({ login: u.login, password: u.password, roles: u.roles, establishment: u.establishment }))];
    it.each(cases)('$login ($roles, $establishment)', async ({ login, password, roles, establishment }) => {
      const { page, context } = await ssoLogin(login, password);
      const known = roles.filter((r): r is ConsoleRole => r in HOME);
      if (establishment !== 'DEMO' || known.length === 0) {
        expect(await page.textContent('main')).toContain('Accès refusé');
        expect(await page.textContent('main')).toContain(establishment !== 'DEMO' ? 'établissement' : 'aucun rôle');
        if (login === 'lucas.petit') await checkAxe(page, 'oidc-sans-role');
      } else {
        const expected = known.includes('regisseur') ? HOME.regisseur : HOME[known[0]];
        expect(path(page)).toBe(expected);
        const row = (await api.dataSource.query(`SELECT roles, oidc_subject, password_hash FROM console_user WHERE oidc_subject = $1`, [login]))[0];
        expect(row.roles.sort()).toEqual([...known].sort());
        expect(row.password_hash).toBeNull();
        // Same directory account again: the same console user.
        await context.close();
        const again = await ssoLogin(login, password);
        expect(path(again.page)).toBe(expected);
        expect(await api.dataSource.query(`SELECT 1 FROM console_user WHERE oidc_subject = $1`, [login])).toHaveLength(1);
        await again.context.close();
        return;
      }
      await context.close();
    });

    it('refuses a person whose only role is unknown to the console', async () => {
      const { page, context } = await ssoLogin('nina.roux', 'demo-visiteur');
      expect(await page.textContent('main')).toContain('aucun rôle');
      const audit = await api.dataSource.query(`SELECT detail FROM console_audit WHERE login = 'nina.roux'`);
      expect(audit[0].detail).toMatchObject({ reason: 'no_role', unknownRoles: ['visiteur'] });
      await context.close();
    });

    it('refuses a callback that did not start here (state bound to the browser)', async () => {
      const res = await fetch(`${api.url}/console/connexion/oidc/retour?code=abc&state=xyz`);
      expect(res.status).toBe(400);
      expect(await res.text()).toContain('recommencez');
    });
  });

  it('axe-core finds no serious violation on any page visited', () => {
    expect(axeViolations.length).toBeGreaterThan(8);
    expect(axeViolations.filter((v) => v.ids.length > 0)).toEqual([]);
  });
});
