import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { raw } from 'express';
import multer from 'multer';
import type { DiapasonConfig } from '@diapason/config';
import { ProblemException } from '../common/problem';

/**
 * The one GAP API route whose body is not JSON: a bank statement sent as the file itself
 * (`text/plain`, `application/xml`, `application/octet-stream`) or as a multipart upload (field
 * `file`), up to DIAPASON_STATEMENT_LIMIT_BYTES. Mounted after the 401-before-body check, so an
 * unauthenticated upload is refused before a byte of it is read.
 */
export const STATEMENT_UPLOAD_PATH = '/v1/statements';
export const STATEMENT_RAW_TYPES = ['text/plain', 'application/xml', 'text/xml', 'application/octet-stream'] as const;
export const STATEMENT_MULTIPART_FIELD = 'file';

/** Express matches paths without regard to case, so does this. */
export function isStatementUpload(request: Request): boolean {
  return request.method === 'POST' && request.path.replace(/\/$/, '').toLowerCase() === STATEMENT_UPLOAD_PATH;
}

/** Whether the request's body type is one a statement upload accepts. */
export function isStatementBodyType(request: Request): boolean {
  return typeof request.is([...STATEMENT_RAW_TYPES, 'multipart/form-data']) === 'string';
}

export const STATEMENT_TYPE_PROBLEM = () =>
  new ProblemException(
    415,
    'unsupported_media_type',
    'Envoyez le relevé tel quel (text/plain, application/xml ou application/octet-stream) ou en multipart/form-data (champ « file »).',
  );

const MULTIPART_PROBLEMS: Record<string, [number, string, string]> = {
  LIMIT_FILE_SIZE: [413, 'payload_too_large', 'Le relevé dépasse la taille autorisée (DIAPASON_STATEMENT_LIMIT_BYTES).'],
  LIMIT_FILE_COUNT: [400, 'invalid_multipart', 'Envoyez un seul fichier de relevé.'],
  LIMIT_UNEXPECTED_FILE: [400, 'invalid_multipart', 'Le fichier du relevé doit être envoyé dans le champ « file ».'],
};

/** Reads the statement's bytes into `request.body` (a Buffer) for the raw types, `request.file` for multipart. */
export function statementBody(config: DiapasonConfig): RequestHandler {
  const limit = config.http.statementLimitBytes;
  const rawParser = raw({ type: [...STATEMENT_RAW_TYPES], limit });
  const multipart = multer({
    storage: multer.memoryStorage(),
    limits: { fileSize: limit, files: 1, fields: 10, fieldSize: 4096, parts: 20 },
  }).single(STATEMENT_MULTIPART_FIELD);
  return (request: Request, response: Response, next: NextFunction) => {
    if (!isStatementUpload(request)) return next();
    if (!request.is('multipart/form-data')) return rawParser(request, response, next);
    multipart(request, response, (error: unknown) => {
      if (!error) return next();
      if (error instanceof multer.MulterError) {
        const [status, code, detail] = MULTIPART_PROBLEMS[error.code] ?? [400, 'invalid_multipart', 'Envoi multipart invalide.'];
        return next(new ProblemException(status, code, detail));
      }
      // busboy: a malformed form (no boundary, truncated part).
      next(new ProblemException(400, 'invalid_multipart', 'Envoi multipart invalide : le formulaire est mal formé ou incomplet.'));
    });
  };
}
