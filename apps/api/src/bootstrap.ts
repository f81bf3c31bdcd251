import { randomUUID } from 'node:crypto';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { SwaggerModule } from '@nestjs/swagger';
import { Logger } from 'nestjs-pino';
import { json } from 'express';
import type { NextFunction, Request, Response } from 'express';
import { Clock, systemClock } from '@diapason/domain';
import { DiapasonConfig } from '@diapason/config';
import type { HostLookup } from '@diapason/notifier';
import { STATEMENT_TYPE_PROBLEM, isStatementBodyType, isStatementUpload, statementBody } from './accounting/statement-upload';
import { ApiModule } from './api.module';
import { hardenHttp } from './common/http-hardening';
import { ProblemException } from './common/problem';
import { ProblemFilter } from './common/problem.filter';
import { refuseDeepJson, rejectNulBytes } from './common/input-hygiene';
import { createValidationPipe } from './common/validation';
import { createOpenApiDocument } from './openapi';
import { HttpMetrics } from './metrics/http-metrics';

export interface ApiAppOptions {
  clock?: Clock;
  /** Resolves webhook host names (tests give their own); the system resolver otherwise. */
  hostLookup?: HostLookup;
}

/** Builds the HTTP application (GAP API, documentation, health); `main.ts` and the tests share it. */
export async function createApiApp(config: DiapasonConfig, options: ApiAppOptions = {}): Promise<NestExpressApplication> {
  const app = await NestFactory.create<NestExpressApplication>(
    ApiModule.forRoot(config, options.clock ?? systemClock, { hostLookup: options.hostLookup }),
    {
      bufferLogs: true,
      bodyParser: false,
    },
  );
  app.useLogger(app.get(Logger));
  app.use(app.get(HttpMetrics).middleware);
  app.disable('x-powered-by');
  app.set('query parser', 'simple');
  app.use(assignRequestId);
  hardenHttp(app, config);
  app.use(requireJsonBody);
  // The bank statement upload (POST /v1/statements): the file's bytes, up to DIAPASON_STATEMENT_LIMIT_BYTES.
  app.use(statementBody(config));
  // express.json directly: Nest's useBodyParser types leave out `verify`, which checks the depth before parsing.
  app.use(json({ limit: config.http.bodyLimitBytes, type: ['application/json', 'application/*+json'], verify: refuseDeepJson }));
  app.useBodyParser('urlencoded', { limit: config.http.bodyLimitBytes, extended: false });
  app.use(rejectNulBytes);
  app.useGlobalFilters(new ProblemFilter());
  app.useGlobalPipes(createValidationPipe());

  const document = createOpenApiDocument(app);
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs-json' });
  return app;
}

const REQUEST_ID = /^[A-Za-z0-9._-]{1,100}$/;

/**
 * Every request gets an id before anything can fail (body parsing included); the GAP's own
 * X-Request-Id is kept when it sends one, so both logs can be matched.
 */
function assignRequestId(request: Request, response: Response, next: NextFunction): void {
  const given = request.headers['x-request-id'];
  const id = typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
  (request as Request & { id: string }).id = id;
  response.setHeader('X-Request-Id', id);
  next();
}

/** The GAP API speaks JSON only (but for the bank statement upload): another body type is refused before anything is read. */
function requireJsonBody(request: Request, _response: Response, next: NextFunction): void {
  const hasBody = Number(request.headers['content-length'] ?? 0) > 0 || request.headers['transfer-encoding'] !== undefined;
  // The bank statement upload is a file, and only a file.
  if (isStatementUpload(request)) {
    next(hasBody && !isStatementBodyType(request) ? STATEMENT_TYPE_PROBLEM() : undefined);
    return;
  }
  if (hasBody && request.path.startsWith('/v1/') && !request.is(['application/json', 'application/*+json'])) {
    next(new ProblemException(415, 'unsupported_media_type', 'Le corps de la requête doit être en application/json.'));
    return;
  }
  next();
}
