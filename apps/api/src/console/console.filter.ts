import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import type { Response } from 'express';
import { ConsoleForbidden, ConsoleLoginRequired, ConsolePasswordChangeRequired, ConsoleRequest, csrfOf } from './console-auth';
import { errorPage } from './layout';
import { sendPage } from './send-page';

/** The console answers in HTML, in French, whatever went wrong. */
@Catch()
export class ConsoleFilter implements ExceptionFilter {
  private readonly logger = new Logger('Console');

  catch(exception: unknown, host: ArgumentsHost): void {
    const request = host.switchToHttp().getRequest<ConsoleRequest>();
    const response = host.switchToHttp().getResponse<Response>();
    if (response.headersSent) return;
    response.setHeader('Cache-Control', 'no-store');
    if (exception instanceof ConsoleLoginRequired) {
      return response.redirect(303, exception.expired ? '/console/connexion?expiree=1' : '/console/connexion');
    }
    if (exception instanceof ConsolePasswordChangeRequired) return response.redirect(303, '/console/mot-de-passe');
    const session = request.consoleSession;
    const context = { user: session?.user, csrf: csrfOf(session) };
    if (exception instanceof ConsoleForbidden) {
      response
        .status(403)
        .type('html')
        .send(errorPage(exception.title, exception.reason, context));
      return;
    }
    const status = exception instanceof HttpException ? exception.getStatus() : 500;
    if (status === 404) {
      response
        .status(404)
        .type('html')
        .send(errorPage('Page introuvable', 'Cette page de la console n’existe pas.', context));
      return;
    }
    if (status >= 500) this.logger.error({ err: exception }, 'console page failed');
    const message = status >= 500 ? 'Une erreur est survenue. Réessayez dans quelques instants.' : 'La demande n’a pas pu être traitée.';
    sendPage(response, errorPage('Erreur', message, context), status >= 500 ? 500 : status);
  }
}
