import type { ConcertAnswer } from './concert/messages';
import { ProtocolError } from './concert/errors';
import { TargetNotAllowedError } from './access-policy';
import { LinkError } from './links/link';

export interface FailureReason {
  code: string;
  /** What the cashier reads, and can act on. */
  message: string;
}

/** Why a card transaction did not give an approval, in words the cashier can act on. */
export function reasonForAnswer(answer: ConcertAnswer): FailureReason {
  if (answer.status === 'refused') {
    return { code: 'card_refused', message: 'Carte refusée : demandez une autre carte au patient ou proposez un autre moyen de paiement.' };
  }
  switch (answer.detail) {
    case 'input_timeout':
      return { code: 'pin_timeout', message: 'Délai de saisie du code dépassé sur le terminal : recommencez l’empreinte.' };
    case 'unknown_action':
      return {
        code: 'operation_not_supported',
        message: 'Le terminal ne sait pas faire d’empreinte PLBS : contrat PLBS absent ou profil à ajuster. Appelez le support.',
      };
    case 'currency_not_supported':
      return { code: 'currency_not_supported', message: 'Devise refusée par le terminal : appelez le support.' };
    default:
      return {
        code: 'card_removed_or_abandoned',
        message: 'Transaction abandonnée sur le terminal (carte retirée ou annulation) : réinsérez la carte et recommencez.',
      };
  }
}

export function reasonForError(error: unknown): FailureReason {
  if (error instanceof TargetNotAllowedError) {
    return {
      code: 'terminal_not_allowed',
      message:
        'Adresse du terminal hors des réseaux ou ports série autorisés : aucune connexion tentée. Corrigez l’adresse du terminal ou la configuration (service informatique).',
    };
  }
  if (error instanceof LinkError) {
    switch (error.code) {
      case 'timeout':
        return {
          code: 'terminal_timeout',
          message: 'Le terminal n’a pas répondu à temps. Vérifiez qu’il est allumé et en mode caisse, puis recommencez.',
        };
      case 'link_unavailable':
        return {
          code: 'terminal_unreachable',
          message: 'Terminal injoignable (câble, port ou réseau). Vérifiez la connexion du terminal puis recommencez.',
        };
      case 'link_closed':
        return {
          code: 'link_interrupted',
          message: 'Liaison interrompue pendant la transaction, sans empreinte confirmée par le terminal. Recommencez.',
        };
      case 'nak_limit':
        return {
          code: 'line_settings',
          message: 'Le terminal ne comprend pas la caisse (paramètres de ligne : vitesse, parité). Appelez le support.',
        };
      default:
        break;
    }
  }
  if (error instanceof ProtocolError) {
    return { code: 'protocol_error', message: 'Réponse du terminal illisible (profil de protocole à vérifier). Appelez le support.' };
  }
  return { code: 'bridge_error', message: 'Erreur interne du pont terminal. L’incident est journalisé ; recommencez.' };
}
