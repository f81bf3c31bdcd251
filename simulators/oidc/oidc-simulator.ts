import { generateKeyPairSync, randomBytes, randomUUID } from 'node:crypto';
import { IncomingMessage, ServerResponse, createServer } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import escapeHtml from 'escape-html';
// oidc-provider 9 is ESM-only ("type": "module", no CommonJS build). This project compiles to
// CommonJS (SWC), so this line becomes `require('oidc-provider')`: Node 24 loads it through
// require(esm) (stable since 22.12/20.19, no flag) because oidc-provider has no top-level await,
// and hands back the module namespace with `__esModule: true`, so SWC's default-import interop
// picks `Provider`. Under Jest the same require goes through jest-runtime, which can load an ES
// module synchronously only when Node runs with --experimental-vm-modules (the npm test scripts
// pass it). TypeScript accepts it under "module": "nodenext" (require of ESM allowed since 5.8).
// Types come from @types/oidc-provider (the package ships none).
import Provider, { errors, type ClientMetadata, type Configuration, type KoaContextWithOIDC } from 'oidc-provider';
import { DEMO_USERS, OidcUser, displayName } from './demo-users';
import { memoryAdapterFactory } from './memory-adapter';

/** Where the console receives the authorization response, under its public URL. */
export const CONSOLE_REDIRECT_PATH = '/console/connexion/oidc/retour';

export interface OidcClientOptions {
  clientId: string;
  clientSecret: string;
  clientName?: string;
  /**
   * Exact redirect URIs, or patterns where `*` stands for a run of letters, digits, `.`, `_`, `~`
   * or `-`: enough for a port chosen at start-up (`http://127.0.0.1:*` then the path), not enough
   * to escape into another host or path.
   */
  redirectUris: string[];
  /** Same syntax; where the console may send people back after a logout at the provider. */
  postLogoutRedirectUris?: string[];
}

export interface OidcProviderOptions {
  /** 0 (the default) picks a free port. */
  port?: number;
  /** Host name in the issuer URL (default `127.0.0.1`); the server listens on 127.0.0.1 whatever it is. */
  issuerHost?: string;
  /** Replaces the default client (`DEFAULT_CONSOLE_CLIENT`). */
  clients?: OidcClientOptions[];
  /** Replaces the demo directory (`DEMO_USERS`). */
  users?: readonly OidcUser[];
  /** Name of the claim carrying the roles (default `diapason_roles`). */
  rolesClaim?: string;
  /** Name of the claim carrying the establishment code (default `diapason_establishment`). */
  establishmentClaim?: string;
}

export interface OidcProviderSimulator {
  /** `http://127.0.0.1:<port>`: what DIAPASON_OIDC_ISSUER is set to. */
  issuer: string;
  clients: readonly OidcClientOptions[];
  /** Adds someone to the directory, or replaces the person with the same login. */
  addUser(user: OidcUser): void;
  stop(): Promise<void>;
}

/** The console as registered in the simulated directory: any port on the loopback. */
export const DEFAULT_CONSOLE_CLIENT: Readonly<OidcClientOptions> = Object.freeze({
  clientId: 'diapason-console',
  clientSecret: 'diapason-console-secret-de-demonstration',
  clientName: 'Console de régie DIAPASON',
  redirectUris: [`http://127.0.0.1:*${CONSOLE_REDIRECT_PATH}`, `http://localhost:*${CONSOLE_REDIRECT_PATH}`],
  postLogoutRedirectUris: ['http://127.0.0.1:*/console/connexion', 'http://localhost:*/console/connexion'],
});

export const DEFAULT_ROLES_CLAIM = 'diapason_roles';
export const DEFAULT_ESTABLISHMENT_CLAIM = 'diapason_establishment';

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const patternToRegExp = (pattern: string) => new RegExp(`^${pattern.split('*').map(escapeRegExp).join('[A-Za-z0-9._~-]+')}$`);

/** French wording for the errors a person may meet on the provider's own pages. */
const FRENCH_ERRORS: Record<string, string> = {
  invalid_client: 'Application inconnue ou non autorisée auprès de l’annuaire.',
  invalid_redirect_uri: 'Adresse de retour non autorisée pour cette application.',
  invalid_request: 'Demande de connexion invalide.',
  unauthorized_client: 'Cette application n’est pas autorisée à faire cette demande.',
  unsupported_response_type: 'Type de réponse non pris en charge.',
  invalid_scope: 'Autorisations demandées invalides.',
  access_denied: 'Accès refusé.',
  server_error: 'Erreur interne de l’annuaire.',
};

const STYLE = `body{font-family:system-ui,sans-serif;background:#f4f5f7;color:#1e1e1e;margin:0}
main{max-width:26rem;margin:3rem auto;background:#fff;padding:1.5rem 2rem;border-radius:6px;box-shadow:0 1px 3px rgba(0,0,0,.2)}
h1{font-size:1.5rem;margin-top:0}label{display:block;font-weight:600;margin:.8rem 0 .3rem}
input{box-sizing:border-box;width:100%;padding:.5rem;font-size:1rem;border:1px solid #666;border-radius:4px}
input:focus,button:focus{outline:3px solid #0a58ca;outline-offset:2px}
.actions{display:flex;gap:.75rem;margin-top:1.2rem}button{font-size:1rem;padding:.55rem 1rem;border-radius:4px;border:1px solid #000091;cursor:pointer}
button.principal{background:#000091;color:#fff}button.secondaire{background:#fff;color:#000091}
.erreur{color:#b00020;background:#fdecee;border-left:4px solid #b00020;padding:.5rem .75rem}
.note{font-size:.85rem;color:#444}details{margin-top:1.2rem}table{border-collapse:collapse;font-size:.85rem;width:100%}th,td{text-align:left;padding:.2rem .4rem;border-bottom:1px solid #ddd}`;

function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="fr">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${escapeHtml(title)} — Annuaire simulé</title><style>${STYLE}</style></head>
<body><main>
${body}
<p class="note">Annuaire OpenID Connect simulé pour les essais de DIAPASON : ne jamais l’utiliser en production.</p>
</main></body>
</html>`;
}

/**
 * An OpenID Connect provider (oidc-provider, authorization code flow with PKCE required) in front
 * of an in-memory directory, with its own French login pages. Consent is given automatically: a
 * hospital's directory does not ask its staff whether the console may know who they are.
 */
export async function startOidcProvider(options: OidcProviderOptions = {}): Promise<OidcProviderSimulator> {
  const rolesClaim = options.rolesClaim ?? DEFAULT_ROLES_CLAIM;
  const establishmentClaim = options.establishmentClaim ?? DEFAULT_ESTABLISHMENT_CLAIM;
  const clients = (options.clients ?? [DEFAULT_CONSOLE_CLIENT]).map((c) => ({ ...c }));
  const users = new Map<string, OidcUser>();
  const addUser = (u: OidcUser) => void users.set(u.login, { ...u, roles: [...u.roles] });
  (options.users ?? DEMO_USERS).forEach(addUser);

  // oidc-provider needs its issuer before it is built, and the issuer needs the port: listen first.
  let handler: (req: IncomingMessage, res: ServerResponse) => void = (_req, res) => void res.writeHead(503).end();
  const server = createServer((req, res) => handler(req, res));
  const sockets = new Set<Socket>();
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const issuer = `http://${options.issuerHost ?? '127.0.0.1'}:${port}`;

  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const signingKey = { ...privateKey.export({ format: 'jwk' }), kid: randomUUID(), alg: 'RS256', use: 'sig' };

  const patterns = new Map<string, { redirect: RegExp[]; postLogout: RegExp[] }>();
  const registered: ClientMetadata[] = clients.map((c) => {
    patterns.set(c.clientId, { redirect: c.redirectUris.map(patternToRegExp), postLogout: (c.postLogoutRedirectUris ?? []).map(patternToRegExp) });
    // oidc-provider only registers valid URLs: a pattern is registered with its `*` removed (so
    // `http://127.0.0.1:*/x` becomes `http://127.0.0.1/x`), and matched below by the pattern.
    return {
      client_id: c.clientId,
      client_secret: c.clientSecret,
      client_name: c.clientName ?? c.clientId,
      redirect_uris: c.redirectUris.map((u) => u.replaceAll('*', '')),
      post_logout_redirect_uris: (c.postLogoutRedirectUris ?? []).map((u) => u.replaceAll('*', '')),
      response_types: ['code'],
      grant_types: ['authorization_code'],
      token_endpoint_auth_method: 'client_secret_basic',
    };
  });

  const configuration: Configuration = {
    adapter: memoryAdapterFactory(),
    clients: registered,
    jwks: { keys: [signingKey] },
    cookies: { keys: [randomBytes(32).toString('base64url')] },
    pkce: { required: () => true },
    responseTypes: ['code'],
    scopes: ['openid', 'profile', 'email'],
    claims: {
      openid: ['sub', rolesClaim, establishmentClaim],
      profile: ['name', 'given_name', 'family_name', 'preferred_username'],
      email: ['email', 'email_verified'],
    },
    // Like Keycloak or LemonLDAP::NG, put the claims of the granted scopes in the ID token too (the
    // console reads its roles there), not only at the userinfo endpoint.
    conformIdTokenClaims: false,
    // In seconds. A working day of session, like a hospital directory; short-lived codes.
    ttl: { AuthorizationCode: 60, AccessToken: 3600, IdToken: 3600, Interaction: 3600, Session: 10 * 3600, Grant: 10 * 3600 },
    // The console always sends redirect_uri; never guess it.
    allowOmittingSingleRegisteredRedirectUri: false,
    features: {
      devInteractions: { enabled: false },
      // The console is a plain confidential client: none of these are needed, and DPoP or
      // resource indicators would only change what a real directory is expected to do.
      dPoP: { enabled: false },
      resourceIndicators: { enabled: false },
      pushedAuthorizationRequests: { enabled: false },
      rpInitiatedLogout: {
        enabled: true,
        async logoutSource(ctx, form) {
          ctx.type = 'html';
          ctx.body = page(
            'Déconnexion',
            `<h1>Se déconnecter de l’annuaire ?</h1>${form}
<div class="actions"><button class="principal" type="submit" form="op.logoutForm" name="logout" value="yes">Se déconnecter</button>
<button class="secondaire" type="submit" form="op.logoutForm">Rester connecté</button></div>`,
          );
        },
        async postLogoutSuccessSource(ctx) {
          ctx.type = 'html';
          ctx.body = page('Déconnexion', '<h1>Vous êtes déconnecté</h1><p>Vous pouvez fermer cette page.</p>');
        },
      },
    },
    interactions: { url: async (_ctx: KoaContextWithOIDC, interaction) => `/interaction/${interaction.uid}` },
    async findAccount(_ctx, sub) {
      const user = users.get(sub);
      if (!user) return undefined;
      return {
        accountId: sub,
        async claims() {
          return {
            sub,
            name: displayName(user),
            given_name: user.givenName,
            family_name: user.familyName,
            preferred_username: user.login,
            ...(user.email ? { email: user.email, email_verified: true } : {}),
            [rolesClaim]: [...user.roles],
            [establishmentClaim]: user.establishment,
          };
        },
      };
    },
    async renderError(ctx, out) {
      ctx.type = 'html';
      const code = String(out.error ?? 'server_error');
      ctx.body = page(
        'Erreur',
        `<h1>Connexion impossible</h1>
<p role="alert">${escapeHtml(FRENCH_ERRORS[code] ?? 'La demande de connexion a été refusée.')}</p>
<p class="note">Code : <code>${escapeHtml(code)}</code>${out.error_description ? ` — ${escapeHtml(String(out.error_description))}` : ''}</p>`,
      );
    },
  };

  const provider = new Provider(issuer, configuration);
  // oidc-provider matches redirect URIs exactly; `redirectUriAllowed` is the documented seam for
  // the "redirect URI wildcards" recipe (development only, which a simulator is).
  // Kept with the prototype as their `this`, and called with each client as `this` below.
  const original = provider.Client.prototype;
  const redirectUriAllowed = (client: InstanceType<typeof provider.Client>, uri: string) => original.redirectUriAllowed.call(client, uri);
  const postLogoutRedirectUriAllowed = (client: InstanceType<typeof provider.Client>, uri: string) =>
    original.postLogoutRedirectUriAllowed.call(client, uri);
  provider.Client.prototype.redirectUriAllowed = function (this: InstanceType<typeof provider.Client>, uri: string) {
    const p = patterns.get(this.clientId);
    return p ? p.redirect.some((re) => re.test(uri)) : redirectUriAllowed(this, uri);
  };
  provider.Client.prototype.postLogoutRedirectUriAllowed = function (this: InstanceType<typeof provider.Client>, uri: string) {
    const p = patterns.get(this.clientId);
    return p ? p.postLogout.some((re) => re.test(uri)) : postLogoutRedirectUriAllowed(this, uri);
  };
  provider.on('server_error', (_ctx, error) => console.error('oidc simulator:', error));

  const html = (res: ServerResponse, status: number, body: string) => {
    res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
    res.end(body);
  };

  function loginPage(uid: string, clientName: string, error?: string, login = ''): string {
    const invalid = error ? ' aria-invalid="true" aria-describedby="erreur"' : '';
    const demo = [...users.values()]
      .map(
        (u) =>
          `<tr><td>${escapeHtml(u.login)}</td><td>${escapeHtml(u.password)}</td><td>${escapeHtml(u.roles.join(', ') || '(aucun)')}</td><td>${escapeHtml(u.establishment)}</td></tr>`,
      )
      .join('');
    return page(
      'Connexion',
      `<h1>Connexion</h1>
<p>L’application « ${escapeHtml(clientName)} » demande à vous identifier.</p>
${error ? `<p class="erreur" id="erreur" role="alert">${escapeHtml(error)}</p>` : ''}
<form method="post" action="/interaction/${escapeHtml(uid)}/login">
<label for="login">Identifiant</label>
<input id="login" name="login" type="text" autocomplete="username" autocapitalize="none" spellcheck="false" required value="${escapeHtml(login)}"${invalid}${login ? '' : ' autofocus'}>
<label for="password">Mot de passe</label>
<input id="password" name="password" type="password" autocomplete="current-password" required${invalid}${login ? ' autofocus' : ''}>
<div class="actions"><button class="principal" type="submit">Se connecter</button>
<button class="secondaire" type="submit" formaction="/interaction/${escapeHtml(uid)}/abandon" formnovalidate>Annuler</button></div>
</form>
<details><summary>Comptes de démonstration</summary>
<table><caption class="note">Identifiants, mots de passe, rôles et établissement</caption>
<thead><tr><th scope="col">Identifiant</th><th scope="col">Mot de passe</th><th scope="col">Rôles</th><th scope="col">Établissement</th></tr></thead>
<tbody>${demo}</tbody></table></details>`,
    );
  }

  async function interaction(req: IncomingMessage, res: ServerResponse, uid: string, action: string | undefined): Promise<void> {
    let details;
    try {
      details = await provider.interactionDetails(req, res);
    } catch (error) {
      if (error instanceof errors.SessionNotFound) {
        return html(
          res,
          400,
          page(
            'Session expirée',
            '<h1>Session de connexion expirée</h1><p role="alert">Cette page de connexion n’est plus valable. Recommencez depuis l’application.</p>',
          ),
        );
      }
      throw error;
    }
    if (details.uid !== uid)
      return html(
        res,
        400,
        page('Erreur', '<h1>Connexion impossible</h1><p role="alert">Cette page de connexion ne correspond pas à la demande en cours.</p>'),
      );
    const client = await provider.Client.find(String(details.params.client_id));
    const clientName = client?.clientName ?? String(details.params.client_id);

    if (req.method === 'GET' && !action) {
      if (details.prompt.name === 'login') return html(res, 200, loginPage(uid, clientName));
      if (details.prompt.name === 'consent') {
        // Consent is implied: grant what was asked (scopes and claims the client may have).
        const { missingOIDCScope, missingOIDCClaims } = details.prompt.details as { missingOIDCScope?: string[]; missingOIDCClaims?: string[] };
        const grant = details.grantId
          ? await provider.Grant.find(details.grantId)
          : new provider.Grant({ accountId: details.session!.accountId, clientId: String(details.params.client_id) });
        if (!grant) throw new Error('grant not found');
        if (missingOIDCScope?.length) grant.addOIDCScope(missingOIDCScope.join(' '));
        if (missingOIDCClaims?.length) grant.addOIDCClaims(missingOIDCClaims);
        const grantId = await grant.save();
        return provider.interactionFinished(req, res, { consent: { grantId } }, { mergeWithLastSubmission: true });
      }
      return html(
        res,
        400,
        page('Erreur', `<h1>Connexion impossible</h1><p role="alert">Étape « ${escapeHtml(details.prompt.name)} » non prise en charge.</p>`),
      );
    }
    if (req.method !== 'POST') return html(res, 405, page('Erreur', '<h1>Méthode non autorisée</h1>'));
    let text = '';
    for await (const chunk of req) text += chunk;
    if (action === 'abandon') {
      return provider.interactionFinished(
        req,
        res,
        { error: 'access_denied', error_description: 'Connexion annulée par l’utilisateur.' },
        { mergeWithLastSubmission: false },
      );
    }
    if (action !== 'login' || details.prompt.name !== 'login')
      return html(res, 400, page('Erreur', '<h1>Connexion impossible</h1><p role="alert">Demande inattendue.</p>'));
    const form = new URLSearchParams(text);
    const login = (form.get('login') ?? '').trim();
    const password = form.get('password') ?? '';
    if (!login || !password) return html(res, 200, loginPage(uid, clientName, 'Saisissez votre identifiant et votre mot de passe.', login));
    const user = users.get(login);
    if (!user || user.password !== password) return html(res, 200, loginPage(uid, clientName, 'Identifiant ou mot de passe incorrect.', login));
    return provider.interactionFinished(req, res, { login: { accountId: user.login, amr: ['pwd'] } }, { mergeWithLastSubmission: false });
  }

  const callback = provider.callback();
  handler = (req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const match = /^\/interaction\/([A-Za-z0-9_-]+)(?:\/(login|abandon))?$/.exec(path);
    if (!match) return void callback(req, res);
    interaction(req, res, match[1], match[2]).catch((error: unknown) => {
      console.error('oidc simulator interaction:', error);
      if (!res.headersSent) html(res, 500, page('Erreur', '<h1>Erreur interne de l’annuaire simulé</h1>'));
      else res.end();
    });
  };

  return {
    issuer,
    clients,
    addUser,
    stop: () =>
      new Promise<void>((resolve) => {
        sockets.forEach((s) => s.destroy());
        server.close(() => resolve());
      }),
  };
}
