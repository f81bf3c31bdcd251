import { Inject, Injectable, Logger } from '@nestjs/common';
// openid-client 6 is ESM-only: loaded through require(esm) (Node 24), like the simulator's oidc-provider.
import * as oidc from 'openid-client';
import { DIAPASON_CONFIG } from '@diapason/config';
import type { DiapasonConfig } from '@diapason/config';
import { ConsoleRole, isConsoleRole } from '@diapason/persistence';

export const OIDC_CALLBACK_PATH = '/console/connexion/oidc/retour';

/** What the directory says of the person, from the ID token. */
export interface DirectoryIdentity {
  subject: string;
  login: string;
  displayName: string | null;
  establishmentCode: string | null;
  roles: ConsoleRole[];
  /** Values of the roles claim the console does not know (ignored). */
  unknownRoles: string[];
}

export class DirectoryUnavailable extends Error {}

/**
 * Single sign-on with openid-client 6: authorization code flow with PKCE (S256), state and nonce,
 * client_secret_basic. The issuer's discovery document is read at the first login (and again after
 * a failure), not at start-up: an unreachable directory must not stop the api.
 */
@Injectable()
export class OidcLogin {
  private readonly logger = new Logger('ConsoleOidc');
  private configuration: Promise<oidc.Configuration> | undefined;

  constructor(@Inject(DIAPASON_CONFIG) private readonly config: DiapasonConfig) {}

  get enabled(): boolean {
    return this.config.oidc !== undefined;
  }

  private get redirectUri(): string {
    return `${this.config.http.publicBaseUrl}${OIDC_CALLBACK_PATH}`;
  }

  private discover(): Promise<oidc.Configuration> {
    const settings = this.config.oidc;
    if (!settings) return Promise.reject(new DirectoryUnavailable('single sign-on is not configured'));
    this.configuration ??= oidc
      .discovery(
        new URL(settings.issuer),
        settings.clientId,
        undefined,
        oidc.ClientSecretBasic(settings.clientSecret),
        // An http issuer (the simulator, a directory on the hospital LAN) is the operator's choice.
        new URL(settings.issuer).protocol === 'http:' ? { execute: [oidc.allowInsecureRequests], timeout: 10 } : { timeout: 10 },
      )
      .catch((error: unknown) => {
        this.configuration = undefined;
        this.logger.warn({ err: error }, 'OIDC discovery failed');
        throw new DirectoryUnavailable('discovery failed');
      });
    return this.configuration;
  }

  /** Where to send the browser, and what to keep until it comes back. */
  async start(): Promise<{ url: URL; state: string; nonce: string; codeVerifier: string }> {
    const configuration = await this.discover();
    const codeVerifier = oidc.randomPKCECodeVerifier();
    const state = oidc.randomState();
    const nonce = oidc.randomNonce();
    const url = oidc.buildAuthorizationUrl(configuration, {
      redirect_uri: this.redirectUri,
      scope: 'openid profile email',
      code_challenge: await oidc.calculatePKCECodeChallenge(codeVerifier),
      code_challenge_method: 'S256',
      state,
      nonce,
    });
    return { url, state, nonce, codeVerifier };
  }

  /** Exchanges the code (checking state, nonce, PKCE and the ID token) and reads the identity. */
  async finish(currentUrl: URL, checks: { state: string; nonce: string; codeVerifier: string }): Promise<DirectoryIdentity> {
    const configuration = await this.discover();
    const tokens = await oidc.authorizationCodeGrant(configuration, currentUrl, {
      pkceCodeVerifier: checks.codeVerifier,
      expectedState: checks.state,
      expectedNonce: checks.nonce,
      idTokenExpected: true,
    });
    const claims = tokens.claims()!;
    const settings = this.config.oidc!;
    const raw = claims[settings.rolesClaim];
    // ADFS sends a single role as a string.
    const values = (Array.isArray(raw) ? raw : typeof raw === 'string' ? [raw] : []).filter((v): v is string => typeof v === 'string');
    const establishment = claims[settings.establishmentClaim];
    const name = typeof claims.name === 'string' ? claims.name : null;
    const preferred = typeof claims.preferred_username === 'string' ? claims.preferred_username : null;
    return {
      subject: claims.sub,
      login: (preferred ?? claims.sub).slice(0, 100),
      displayName: name?.slice(0, 200) ?? null,
      establishmentCode: typeof establishment === 'string' && establishment ? establishment : (settings.defaultEstablishment ?? null),
      roles: [...new Set(values.filter(isConsoleRole))],
      unknownRoles: values.filter((v) => !isConsoleRole(v)),
    };
  }
}
