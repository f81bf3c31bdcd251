import { HttpException } from '@nestjs/common';

export interface InvalidField {
  /** Dotted path of the field in the request (`patient.phone`, `limit`). */
  field: string;
  message: string;
}

export interface ProblemBody {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance?: string;
  code: string;
  errors?: InvalidField[];
  requestId?: string;
  [extension: string]: unknown;
}

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

const TITLES: Record<number, string> = {
  400: 'Requête invalide',
  401: 'Authentification requise',
  403: 'Accès refusé',
  404: 'Ressource introuvable',
  405: 'Méthode non autorisée',
  406: 'Format de réponse non disponible',
  409: 'Conflit avec l’état de la ressource',
  413: 'Requête trop volumineuse',
  415: 'Type de contenu non pris en charge',
  422: 'Requête impossible à traiter',
  429: 'Trop de requêtes',
  500: 'Erreur interne',
  502: 'Service tiers en erreur',
  503: 'Service indisponible',
};

export function titleFor(status: number): string {
  return TITLES[status] ?? (status >= 500 ? 'Erreur interne' : 'Requête refusée');
}

/** Problem types are URNs: stable identifiers that GAP integrators can switch on. */
export function problemType(code: string): string {
  return `urn:diapason:problem:${code.replace(/_/g, '-')}`;
}

/** An error answered as RFC 9457 problem details, with a stable `code` and a French `detail`. */
export class ProblemException extends HttpException {
  constructor(
    status: number,
    readonly code: string,
    readonly detail: string,
    readonly extensions: { errors?: InvalidField[]; [key: string]: unknown } = {},
    readonly headers: Record<string, string> = {},
  ) {
    super(detail, status);
  }

  toBody(): ProblemBody {
    return {
      type: problemType(this.code),
      title: titleFor(this.getStatus()),
      status: this.getStatus(),
      detail: this.detail,
      code: this.code,
      ...this.extensions,
    };
  }
}

export function validationProblem(errors: InvalidField[]): ProblemException {
  const detail = errors.length === 1 ? `Le champ ${errors[0].field} est invalide : ${errors[0].message}.` : `${errors.length} champs sont invalides.`;
  return new ProblemException(400, 'validation_failed', detail, { errors });
}
