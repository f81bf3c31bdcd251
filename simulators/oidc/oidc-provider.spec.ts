// openid-client 6 is ESM-only, like oidc-provider: loaded through require(esm), see oidc-simulator.ts.
import * as oidc from 'openid-client';
import { CONSOLE_REDIRECT_PATH, DEFAULT_CONSOLE_CLIENT, DEMO_USERS, OidcProviderSimulator, startOidcProvider } from '.';

/** Where the console would be: nothing listens there, the test stops at the redirect to it. */
const CONSOLE = 'http://127.0.0.1:4599';
const REDIRECT_URI = `${CONSOLE}${CONSOLE_REDIRECT_PATH}`;

interface Page {
  url: string;
  status: number;
  text: string;
  /** Set when the provider sends the browser back to the console. */
  callback?: URL;
}

/**
 * What headless Chromium does, by hand: keep the provider's cookies (one host, so names are
 * enough), follow its redirects, and stop at the first one that leaves for the console.
 */
class Browser {
  private readonly cookies = new Map<string, string>();

  constructor(private readonly stopAt = CONSOLE) {}

  async get(url: string | URL): Promise<Page> {
    return this.go(String(url), { method: 'GET' });
  }

  /** Submits the page's form (its `action`) with these fields. */
  async submit(page: Page, fields: Record<string, string>, action?: string): Promise<Page> {
    const formAction = action ?? /<form[^>]*\saction="([^"]+)"/.exec(page.text)?.[1];
    if (!formAction) throw new Error(`no form on ${page.url}`);
    return this.go(new URL(formAction.replaceAll('&amp;', '&'), page.url).href, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(fields).toString(),
    });
  }

  private async go(url: string, init: RequestInit): Promise<Page> {
    for (let hops = 0; hops < 10; hops += 1) {
      if (url.startsWith(this.stopAt)) return { url, status: 0, text: '', callback: new URL(url) };
      const res = await fetch(url, {
        ...init,
        redirect: 'manual',
        headers: { ...(init.headers as Record<string, string>), cookie: this.cookieHeader() },
      });
      for (const line of res.headers.getSetCookie()) this.store(line);
      const location = res.headers.get('location');
      if (res.status >= 300 && res.status < 400 && location) {
        url = new URL(location, url).href;
        init = { method: 'GET' };
        continue;
      }
      return { url, status: res.status, text: await res.text() };
    }
    throw new Error('too many redirects');
  }

  private cookieHeader(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  private store(line: string): void {
    const [pair, ...attributes] = line.split(';');
    const eq = pair.indexOf('=');
    const name = pair.slice(0, eq).trim();
    const value = pair.slice(eq + 1).trim();
    const expired = attributes.some((a) => {
      const [k, v] = a.trim().split('=');
      return (k.toLowerCase() === 'expires' && new Date(v).getTime() < Date.now()) || (k.toLowerCase() === 'max-age' && Number(v) <= 0);
    });
    if (expired || !value) this.cookies.delete(name);
    else this.cookies.set(name, value);
  }
}

async function consoleConfig(issuer: string, clientId = DEFAULT_CONSOLE_CLIENT.clientId, secret = DEFAULT_CONSOLE_CLIENT.clientSecret) {
  // Plain HTTP issuer on the loopback: openid-client refuses it unless told otherwise.
  return oidc.discovery(new URL(issuer), clientId, undefined, oidc.ClientSecretBasic(secret), { execute: [oidc.allowInsecureRequests] });
}

async function authorizationRequest(config: oidc.Configuration, extra: Record<string, string> = {}) {
  const pkceCodeVerifier = oidc.randomPKCECodeVerifier();
  const expectedState = oidc.randomState();
  const expectedNonce = oidc.randomNonce();
  const url = oidc.buildAuthorizationUrl(config, {
    redirect_uri: REDIRECT_URI,
    scope: 'openid profile email',
    code_challenge: await oidc.calculatePKCECodeChallenge(pkceCodeVerifier),
    code_challenge_method: 'S256',
    state: expectedState,
    nonce: expectedNonce,
    ...extra,
  });
  return { url, checks: { pkceCodeVerifier, expectedState, expectedNonce, idTokenExpected: true } };
}

/** The whole sign-in as the console will do it; returns the tokens and the ID token's claims. */
async function signIn(config: oidc.Configuration, login: string, password: string) {
  const { url, checks } = await authorizationRequest(config);
  const browser = new Browser();
  const form = await browser.get(url);
  expect(form.status).toBe(200);
  const back = await browser.submit(form, { login, password });
  expect(back.callback).toBeDefined();
  const tokens = await oidc.authorizationCodeGrant(config, back.callback!, checks);
  return { tokens, claims: tokens.claims()! };
}

describe('OIDC provider simulator', () => {
  let op: OidcProviderSimulator;
  let config: oidc.Configuration;

  beforeAll(async () => {
    op = await startOidcProvider();
    config = await consoleConfig(op.issuer);
  });
  afterAll(() => op.stop());

  test('listens on the loopback and publishes what the console needs in its discovery document', async () => {
    expect(op.issuer).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const meta = config.serverMetadata();
    expect(meta.issuer).toBe(op.issuer);
    expect(meta.response_types_supported).toEqual(['code']);
    expect(meta.code_challenge_methods_supported).toEqual(['S256']);
    expect(meta.scopes_supported).toEqual(expect.arrayContaining(['openid', 'profile', 'email']));
    expect(meta.claims_supported).toEqual(expect.arrayContaining(['diapason_roles', 'diapason_establishment', 'name', 'email']));
  });

  test('the login page is in French and accessible', async () => {
    const { url } = await authorizationRequest(config);
    const page = await new Browser().get(url);
    expect(page.status).toBe(200);
    expect(page.text).toContain('<html lang="fr">');
    expect(page.text).toMatch(/<label for="login">Identifiant<\/label>\s*<input id="login" name="login"/);
    expect(page.text).toMatch(/<label for="password">Mot de passe<\/label>\s*<input id="password" name="password" type="password"/);
    expect(page.text).toMatch(/<button[^>]*type="submit">Se connecter<\/button>/);
    expect(page.text).toContain('Console de régie DIAPASON');
  });

  test.each(DEMO_USERS.filter((u) => u.establishment === 'DEMO'))('$login signs in with code + PKCE, and gets roles $roles at DEMO', async (user) => {
    const { tokens, claims } = await signIn(config, user.login, user.password);
    expect(claims.iss).toBe(op.issuer);
    expect(claims.aud).toBe(DEFAULT_CONSOLE_CLIENT.clientId);
    expect(claims.sub).toBe(user.login);
    expect(claims.name).toBe(`${user.givenName} ${user.familyName}`);
    expect(claims.email).toBe(user.email);
    expect(claims.diapason_roles).toEqual(user.roles);
    expect(claims.diapason_establishment).toBe('DEMO');

    const userinfo = await oidc.fetchUserInfo(config, tokens.access_token, claims.sub);
    expect(userinfo).toMatchObject({ sub: user.login, preferred_username: user.login, diapason_roles: user.roles, diapason_establishment: 'DEMO' });
  });

  test('the demo directory has the four roles, one user without any, all at DEMO', () => {
    const byLogin = Object.fromEntries(DEMO_USERS.map((u) => [u.login, u]));
    expect(byLogin['marie.durand'].roles).toEqual(['caissier']);
    expect(byLogin['paul.bernard'].roles).toEqual(['regisseur']);
    expect(byLogin['sophie.leroy'].roles).toEqual(['comptable']);
    expect(byLogin['admin.demo'].roles).toEqual(['administrateur']);
    expect(byLogin['lucas.petit'].roles).toEqual([]);
    for (const login of ['marie.durand', 'paul.bernard', 'sophie.leroy', 'admin.demo', 'lucas.petit'])
      expect(byLogin[login].establishment).toBe('DEMO');
  });

  test('a wrong password is refused in French, and the same page then accepts the right one', async () => {
    const { url, checks } = await authorizationRequest(config);
    const browser = new Browser();
    const form = await browser.get(url);
    const refused = await browser.submit(form, { login: 'marie.durand', password: 'pas-le-bon' });
    expect(refused.callback).toBeUndefined();
    expect(refused.status).toBe(200);
    expect(refused.text).toContain('<p class="erreur" id="erreur" role="alert">Identifiant ou mot de passe incorrect.</p>');
    expect(refused.text).toContain('value="marie.durand"');

    const unknown = await browser.submit(refused, { login: 'personne', password: 'x' });
    expect(unknown.text).toContain('Identifiant ou mot de passe incorrect.');
    const empty = await browser.submit(unknown, { login: '', password: '' });
    expect(empty.text).toContain('Saisissez votre identifiant et votre mot de passe.');

    const back = await browser.submit(empty, { login: 'marie.durand', password: 'demo-caissier' });
    const tokens = await oidc.authorizationCodeGrant(config, back.callback!, checks);
    expect(tokens.claims()!.sub).toBe('marie.durand');
  });

  test('« Annuler » sends the console access_denied', async () => {
    const { url, checks } = await authorizationRequest(config);
    const browser = new Browser();
    const form = await browser.get(url);
    const action = /formaction="([^"]+)"/.exec(form.text)![1];
    const back = await browser.submit(form, {}, action);
    expect(back.callback!.searchParams.get('error')).toBe('access_denied');
    expect(back.callback!.searchParams.get('state')).toBe(checks.expectedState);
    await expect(oidc.authorizationCodeGrant(config, back.callback!, checks)).rejects.toMatchObject({ error: 'access_denied' });
  });

  test('an unknown client is refused with a French error page', async () => {
    const stranger = await consoleConfig(op.issuer, 'application-inconnue', 'secret');
    const { url } = await authorizationRequest(stranger);
    const page = await new Browser().get(url);
    expect(page.callback).toBeUndefined();
    expect(page.status).toBe(400);
    expect(page.text).toContain('<html lang="fr">');
    expect(page.text).toContain('Application inconnue ou non autorisée');
    expect(page.text).toContain('invalid_client');
  });

  test('a wrong client secret is refused at the token endpoint', async () => {
    const impostor = await consoleConfig(op.issuer, DEFAULT_CONSOLE_CLIENT.clientId, 'mauvais-secret');
    const { url, checks } = await authorizationRequest(impostor);
    const browser = new Browser();
    const back = await browser.submit(await browser.get(url), { login: 'paul.bernard', password: 'demo-regisseur' });
    // A 401 with a WWW-Authenticate challenge (client_secret_basic), as RFC 6749 §5.2 asks.
    await expect(oidc.authorizationCodeGrant(impostor, back.callback!, checks)).rejects.toMatchObject({
      status: 401,
      cause: [expect.objectContaining({ scheme: 'basic', parameters: expect.objectContaining({ error: 'invalid_client' }) })],
    });
  });

  test('PKCE is required', async () => {
    const { url } = await authorizationRequest(config);
    url.searchParams.delete('code_challenge');
    url.searchParams.delete('code_challenge_method');
    const back = await new Browser().get(url);
    expect(back.callback!.searchParams.get('error')).toBe('invalid_request');
    expect(back.callback!.searchParams.get('error_description')).toMatch(/PKCE/);
  });

  test('only the console path on the loopback is an accepted redirect URI', async () => {
    for (const redirect of [
      'http://evil.test/console/connexion/oidc/retour',
      'http://127.0.0.1:80@evil.test/console/connexion/oidc/retour',
      `${CONSOLE}/ailleurs`,
    ]) {
      const { url } = await authorizationRequest(config, { redirect_uri: redirect });
      const page = await new Browser('http://never').get(url);
      expect(page.status).toBe(400);
      expect(page.text).toContain('Adresse de retour non autorisée');
    }
  });
});

describe('OIDC provider simulator, configured', () => {
  test('claim names, clients and users can be changed; users added while it runs', async () => {
    const op = await startOidcProvider({
      rolesClaim: 'groups',
      establishmentClaim: 'etablissement',
      users: [],
      clients: [{ clientId: 'console-recette', clientSecret: 's3cret', redirectUris: [REDIRECT_URI] }],
    });
    try {
      op.addUser({
        login: 'nadia.roux',
        password: 'mdp',
        givenName: 'Nadia',
        familyName: 'Roux',
        roles: ['regisseur', 'inconnu'],
        establishment: 'CHU-X',
      });
      const config = await consoleConfig(op.issuer, 'console-recette', 's3cret');
      const { claims } = await signIn(config, 'nadia.roux', 'mdp');
      expect(claims).toMatchObject({ sub: 'nadia.roux', groups: ['regisseur', 'inconnu'], etablissement: 'CHU-X' });
      expect(claims.diapason_roles).toBeUndefined();
      expect(claims.email).toBeUndefined();
    } finally {
      await op.stop();
    }
  });
});
