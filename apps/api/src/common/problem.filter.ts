import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import { DomainError, DomainErrorKind } from '@diapason/domain';
import type { Request, Response } from 'express';
import { isDatabaseUnavailable, serviceUnavailable } from './database-outage';
import { PROBLEM_CONTENT_TYPE, ProblemException } from './problem';

const STATUS_BY_KIND: Record<DomainErrorKind, number> = {
  invalid: 422,
  conflict: 409,
  not_found: 404,
  unavailable: 503,
};

/** Errors raised by the HTTP layer below Nest (body parsing) carry a `type` and a `status`. */
interface BodyParserError {
  type?: string;
  status?: number;
  expose?: boolean;
}

const BODY_PARSER_PROBLEMS: Record<string, [number, string, string]> = {
  'entity.parse.failed': [400, 'malformed_json', 'Le corps de la requête n’est pas un JSON valide.'],
  'entity.too.large': [413, 'payload_too_large', 'Le corps de la requête dépasse la taille autorisée.'],
  'encoding.unsupported': [415, 'unsupported_encoding', 'L’encodage du corps de la requête n’est pas pris en charge.'],
  'charset.unsupported': [415, 'unsupported_charset', 'Le jeu de caractères du corps de la requête n’est pas pris en charge.'],
  'request.aborted': [400, 'request_aborted', 'La requête a été interrompue.'],
  'stream.encoding.set': [500, 'internal_error', 'Erreur interne.'],
};

/** Turns any error into an `application/problem+json` answer (RFC 9457), logged once. */
export function toProblem(exception: unknown): ProblemException {
  if (exception instanceof ProblemException) return exception;
  if (exception instanceof DomainError) {
    return new ProblemException(STATUS_BY_KIND[exception.kind], exception.code, exception.message, {
      ...exception.details,
    });
  }
  // Nest wraps the body parser's errors in an HttpException whose cause is the original error.
  const parserError = ((exception as { cause?: unknown })?.cause ?? exception) as BodyParserError;
  // A problem raised inside the body parser (`verify`: a JSON body nested too deep).
  if (parserError instanceof ProblemException) return parserError;
  if (parserError && typeof parserError.type === 'string' && BODY_PARSER_PROBLEMS[parserError.type]) {
    const [status, code, detail] = BODY_PARSER_PROBLEMS[parserError.type];
    return new ProblemException(status, code, detail);
  }
  if (exception instanceof HttpException) {
    const status = exception.getStatus();
    switch (status) {
      case 404:
        return new ProblemException(404, 'not_found', 'Aucune ressource ne correspond à cette adresse.');
      case 405:
        return new ProblemException(405, 'method_not_allowed', 'Cette méthode n’est pas acceptée à cette adresse.');
      case 413:
        return new ProblemException(413, 'payload_too_large', 'Le corps de la requête dépasse la taille autorisée.');
      case 415:
        return new ProblemException(415, 'unsupported_media_type', 'Le corps doit être envoyé en application/json.');
      default:
        return new ProblemException(
          status,
          status >= 500 ? 'internal_error' : 'request_refused',
          status >= 500 ? 'Erreur interne.' : 'La requête a été refusée.',
        );
    }
  }
  if (isDatabaseUnavailable(exception)) return serviceUnavailable();
  return new ProblemException(500, 'internal_error', 'Erreur interne. L’incident a été journalisé.');
}

@Catch()
export class ProblemFilter implements ExceptionFilter {
  private readonly logger = new Logger('HTTP');

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<Request>();
    const response = http.getResponse<Response>();
    const problem = toProblem(exception);
    const status = problem.getStatus();
    if (status >= 500) {
      this.logger.error({ err: exception, path: request.path }, 'request failed');
    }
    if (response.headersSent) return;
    const body = {
      ...problem.toBody(),
      instance: request.originalUrl?.split('?')[0],
      requestId: (request as { id?: unknown }).id as string | undefined,
    };
    for (const [name, value] of Object.entries(problem.headers)) response.setHeader(name, value);
    response.status(status).type(PROBLEM_CONTENT_TYPE).send(JSON.stringify(body));
  }
}
