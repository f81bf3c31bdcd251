import { ArgumentsHost, Catch, ExceptionFilter, Logger } from '@nestjs/common';
import type { Response } from 'express';
import { toProblem } from '../common/problem.filter';
import { errorPage } from './pages';

/** The patient's pages answer in HTML, in French, whatever went wrong. */
@Catch()
export class PatientPageFilter implements ExceptionFilter {
  private readonly logger = new Logger('PatientPage');

  catch(exception: unknown, host: ArgumentsHost): void {
    const response = host.switchToHttp().getResponse<Response>();
    const problem = toProblem(exception);
    const linkStatus = (exception as { details?: { httpStatus?: number } }).details?.httpStatus;
    const status = linkStatus ?? problem.getStatus();
    if (status >= 500) this.logger.error({ err: exception }, 'patient page failed');
    if (response.headersSent) return;
    const title = status === 410 ? 'Lien expiré' : status === 404 ? 'Lien introuvable' : 'Service momentanément indisponible';
    response
      .status(status)
      .type('html')
      .send(errorPage(title, status >= 500 ? 'Veuillez réessayer dans quelques minutes.' : problem.detail));
  }
}
