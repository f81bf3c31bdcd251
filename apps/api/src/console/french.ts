import { formatEuros, isDossierStatus, statusLabel } from '@diapason/domain';
import { maskRecipient } from '@diapason/notifier';

/** What the console shows of dates, amounts and codes: French, Paris time, euros. */

const DATE_TIME = new Intl.DateTimeFormat('fr-FR', { dateStyle: 'short', timeStyle: 'short', timeZone: 'Europe/Paris' });
const DATE = new Intl.DateTimeFormat('fr-FR', { dateStyle: 'long', timeZone: 'Europe/Paris' });

export const dateTime = (at: Date | string | null | undefined): string => (at ? DATE_TIME.format(new Date(at)) : '—');
export const longDate = (at: Date | string | null | undefined): string => (at ? DATE.format(new Date(at)) : '—');
export const euros = (cents: number | null | undefined): string => (typeof cents === 'number' ? formatEuros(cents) : '—');
export const masked = (contact: string | null | undefined): string => (contact ? maskRecipient(contact) : '—');
export const statusText = (status: string | null | undefined): string => (status && isDossierStatus(status) ? statusLabel(status) : (status ?? '—'));

/** Midnight, Paris time, of the day of `now`. */
export function parisDayStart(now: Date): Date {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-GB', {
      timeZone: 'Europe/Paris',
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    })
      .formatToParts(now)
      .map((p) => [p.type, Number(p.value)]),
  );
  const asUtc = Date.UTC(parts.year, parts.month - 1, parts.day, parts.hour, parts.minute, parts.second);
  const offset = asUtc - Math.floor(now.getTime() / 1000) * 1000;
  return new Date(Date.UTC(parts.year, parts.month - 1, parts.day) - offset);
}

const FACT_LABELS: Record<string, string> = {
  'dossier.created': 'Dossier créé',
  'dossier.deadline_approaching': 'Alerte : l’empreinte arrive en fin de validité',
  'imprint.requested': 'Empreinte demandée au terminal',
  'imprint.failed': 'Empreinte échouée',
  'imprint.approved_after_close': 'Empreinte acceptée après la clôture du dossier',
  'notice.sent': 'Notification envoyée au patient',
  'notice.failed': 'Échec d’une notification',
  'notice.evidence': 'Preuve de réception non retenue',
};

/** A journal event type as the régie reads it: a fact, or the status the dossier reached. */
export function eventLabel(type: string): string {
  if (FACT_LABELS[type]) return FACT_LABELS[type];
  const status = type.startsWith('dossier.') ? type.slice('dossier.'.length) : '';
  return isDossierStatus(status) ? `Statut : ${statusLabel(status)}` : type;
}

export const ACTOR_LABELS: Record<string, string> = {
  gap: 'GAP',
  cashier: 'Caissier',
  patient: 'Patient',
  system: 'DIAPASON',
  provider: 'Opérateur d’envoi',
  operator: 'Régie',
};

export const ATTEMPT_STATUS_LABELS: Record<string, string> = {
  pending: 'En attente du terminal',
  running: 'En cours sur le terminal',
  approved: 'Acceptée',
  refused: 'Refusée',
  failed: 'Échouée',
};

export const NOTICE_STATUS_LABELS: Record<string, string> = {
  pending: 'À envoyer',
  sending: 'Envoi en cours',
  sent: 'Envoyée',
  delivered: 'Remise',
  opened: 'Ouverte',
  failed: 'Échec',
};

export const CHANNEL_LABELS: Record<string, string> = { sms: 'SMS', email: 'Courriel' };

export const EVIDENCE_KIND_LABELS: Record<string, string> = {
  delivery_receipt: 'Accusé de remise du SMS',
  pixel: 'Ouverture du courriel',
  link: 'Ouverture du lien de la notification',
  button: 'Bouton « J’ai pris connaissance »',
};

/** Why a piece of evidence did not acknowledge the notice (the journal's `reason`). */
export const EVIDENCE_REASON_LABELS: Record<string, string> = {
  head: 'simple vérification du lien (requête HEAD), pas une lecture',
  link_scanner: 'lien ouvert par un analyseur de sécurité, pas par le patient',
  image_proxy: 'image chargée par un relais de messagerie, pas par le patient',
  rule: 'ce type de preuve n’est pas retenu par la règle de l’établissement',
  status: 'le dossier n’attendait plus d’accusé de réception',
};
