import { METHODS } from 'node:http';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { Express, NextFunction, Request, RequestHandler, Response } from 'express';
import helmet from 'helmet';
import type { DiapasonConfig } from '@diapason/config';
import { ApiKeyAuthenticator, AuthenticatedRequest } from './auth';
import { ProblemException } from './problem';

/**
 * What every request meets before its body is read, mounted by `createApiApp` right after the
 * request id: trusted proxies, security headers, 405 for a method a known address does not
 * accept, and 401 for a GAP API request without a known key.
 */
export function hardenHttp(app: NestExpressApplication, config: DiapasonConfig): void {
  app.set('trust proxy', config.http.trustProxy);
  app.use(securityHeaders(config));
  app.use(allowedMethods(app));
  app.use(requireKeyBeforeBody(app.get(ApiKeyAuthenticator)));
}

/** The GAP API: everything under /v1 (Express matches paths without regard to case). */
const GAP_API = /^\/v1(\/|$)/i;

/**
 * A request to the GAP API without a known key (missing, malformed, unknown or revoked) is refused
 * before its body is read, whatever its size or content; the principal found is left on the
 * request for `ApiKeyGuard`, which stays the authority on scopes and on every route not public.
 */
export function requireKeyBeforeBody(authenticator: ApiKeyAuthenticator): RequestHandler {
  return (request: Request, _response: Response, next: NextFunction) => {
    if (!GAP_API.test(request.path)) return next();
    authenticator.authenticate(request as AuthenticatedRequest).then(
      () => next(),
      (error: unknown) => next(error),
    );
  };
}

/** Content-Security-Policy of each kind of answer; everything else is JSON and loads nothing. */
const CSP = {
  api: { defaultSrc: ["'none'"], frameAncestors: ["'none'"], baseUri: ["'none'"], formAction: ["'none'"] },
  // The patient's pages (apps/api/src/patient) set the same policy on their own answers; this
  // one also covers their error pages.
  patient: { defaultSrc: ["'none'"], styleSrc: ["'unsafe-inline'"], formAction: ["'self'"], baseUri: ["'none'"], frameAncestors: ["'none'"] },
  // The Régie console (apps/api/src/console): no script at all, its one stylesheet, forms to itself.
  console: {
    defaultSrc: ["'none'"],
    styleSrc: ["'self'"],
    imgSrc: ["'self'"],
    formAction: ["'self'"],
    baseUri: ["'none'"],
    frameAncestors: ["'none'"],
  },
  // Swagger UI: its scripts and styles come from /docs, it styles elements inline and draws data: images.
  docs: {
    defaultSrc: ["'self'"],
    scriptSrc: ["'self'"],
    styleSrc: ["'self'", "'unsafe-inline'"],
    imgSrc: ["'self'", 'data:'],
    fontSrc: ["'self'", 'data:'],
    connectSrc: ["'self'"],
    objectSrc: ["'none'"],
    baseUri: ["'self'"],
    formAction: ["'self'"],
    frameAncestors: ["'none'"],
  },
};

/**
 * helmet on every answer: `X-Content-Type-Options: nosniff`, `X-Frame-Options: DENY`,
 * `Referrer-Policy: no-referrer`, a Content-Security-Policy per kind of answer, and HSTS only when
 * the public address is HTTPS (an HTTP pilot on the hospital LAN must not pin browsers to HTTPS).
 * The patient's pixel (/p/…/o.gif) is loaded by mail clients of other origins: its resources are
 * `Cross-Origin-Resource-Policy: cross-origin`.
 */
export function securityHeaders(config: DiapasonConfig): RequestHandler {
  const https = new URL(config.http.publicBaseUrl).protocol === 'https:';
  const build = (directives: Record<string, string[]>, crossOrigin: boolean) =>
    helmet({
      contentSecurityPolicy: { useDefaults: false, directives },
      strictTransportSecurity: https ? { maxAge: 31_536_000, includeSubDomains: true } : false,
      xFrameOptions: { action: 'deny' },
      referrerPolicy: { policy: 'no-referrer' },
      crossOriginResourcePolicy: { policy: crossOrigin ? 'cross-origin' : 'same-origin' },
    });
  const api = build(CSP.api, false);
  const patient = build(CSP.patient, true);
  const docs = build(CSP.docs, false);
  const consolePages = build(CSP.console, false);
  return (request, response, next) => {
    const path = request.path;
    if (path.startsWith('/p/')) return patient(request, response, next);
    if (path === '/console' || path.startsWith('/console/')) return consolePages(request, response, next);
    if (path === '/docs' || path.startsWith('/docs/') || path === '/docs-json') return docs(request, response, next);
    return api(request, response, next);
  };
}

/** What Express's router says of a route layer (router 2: `match()` has no side effect). */
interface RouteLayer {
  route?: { methods: Record<string, boolean | undefined> };
  match(path: string): unknown;
}

const EVERY_METHOD = METHODS.map((method) => method.toLowerCase());

/**
 * Known addresses answer 405 with `Allow` to a method no route of theirs accepts, and 204 with
 * `Allow` to OPTIONS; unknown addresses go on to the 404. The routes are read from Express's
 * router (where Nest registered them) on the first request, when they are all there. A route for
 * every method at a single address (`@All`, the patient pages' catch-all) accepts anything; one
 * that matches any address at all is a middleware Nest mounted for every route, not an address.
 */
export function allowedMethods(app: NestExpressApplication): RequestHandler {
  let routes: { layer: RouteLayer; methods: Set<string>; any: boolean }[] | undefined;
  const table = () => {
    if (routes) return routes;
    const express: Express = app.getHttpAdapter().getInstance();
    const layers = express.router.stack as unknown as RouteLayer[];
    routes = layers
      .filter((layer) => layer.route && !(layer.match('/') !== false && layer.match('/diapason/any/address') !== false))
      .map((layer) => {
        const declared = layer.route!.methods;
        const methods = new Set(
          Object.keys(declared)
            .filter((name) => declared[name] && name !== '_all')
            .map((name) => name.toUpperCase()),
        );
        if (methods.has('GET')) methods.add('HEAD');
        return { layer, methods, any: Boolean(declared._all) || EVERY_METHOD.every((method) => declared[method]) };
      });
    return routes;
  };
  return (request, response, next) => {
    const accepts = (route: { methods: Set<string>; any: boolean }) => route.any || route.methods.has(request.method);
    // Most requests: a route accepting the method matches; only those are matched against the path.
    if (table().some((route) => accepts(route) && route.layer.match(request.path) !== false)) return next();
    const matching = table().filter((route) => route.layer.match(request.path) !== false);
    if (matching.length === 0) return next();
    const allow = [...new Set([...matching.flatMap((route) => [...route.methods]), 'OPTIONS'])].sort().join(', ');
    if (request.method === 'OPTIONS') {
      response.setHeader('Allow', allow);
      response.status(204).end();
      return;
    }
    next(
      new ProblemException(
        405,
        'method_not_allowed',
        `La méthode ${request.method} n’est pas acceptée à cette adresse (méthodes acceptées : ${allow}).`,
        {},
        { Allow: allow },
      ),
    );
  };
}
