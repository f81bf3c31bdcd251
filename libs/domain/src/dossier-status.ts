/**
 * Statuses of a DIAPASON dossier as the GAP API exposes them, and the seven reporting
 * categories of the national programme (domain.md, "Dossier outcomes").
 */
export const DOSSIER_STATUSES = [
  'awaiting_imprint',
  'imprinted',
  'payment_requested',
  'acknowledged',
  'completing',
  'completed',
  'cancelled',
  'notification_failed',
  'not_acknowledged',
  'bank_rejected',
  'deadline_exceeded',
] as const;

export type DossierStatus = (typeof DOSSIER_STATUSES)[number];

export const REPORTING_CATEGORIES = [
  'in_progress',
  'completed',
  'cancelled',
  'notification_failed',
  'not_acknowledged',
  'bank_rejected',
  'deadline_exceeded',
] as const;

export type ReportingCategory = (typeof REPORTING_CATEGORIES)[number];

interface StatusDefinition {
  readonly final: boolean;
  readonly category: ReportingCategory;
  /** What a cashier or an accountant reads for this precise status. */
  readonly label: string;
}

const STATUS_DEFINITIONS: Readonly<Record<DossierStatus, StatusDefinition>> = {
  awaiting_imprint: { final: false, category: 'in_progress', label: "En attente d'empreinte" },
  imprinted: { final: false, category: 'in_progress', label: 'Empreinte réalisée' },
  payment_requested: {
    final: false,
    category: 'in_progress',
    label: "Demande de paiement notifiée, en attente d'accusé",
  },
  acknowledged: { final: false, category: 'in_progress', label: 'Notification reçue, débit programmé' },
  completing: { final: false, category: 'in_progress', label: 'Débit en cours' },
  completed: { final: true, category: 'completed', label: 'Paiement abouti' },
  cancelled: { final: true, category: 'cancelled', label: 'Annulation du dossier' },
  notification_failed: { final: true, category: 'notification_failed', label: 'Echec de notification' },
  not_acknowledged: { final: true, category: 'not_acknowledged', label: 'Notification non aboutie' },
  bank_rejected: { final: true, category: 'bank_rejected', label: 'Rejet bancaire' },
  deadline_exceeded: { final: true, category: 'deadline_exceeded', label: 'Délais dépassés' },
};

const CATEGORY_LABELS: Readonly<Record<ReportingCategory, string>> = {
  in_progress: 'Dossier en cours',
  completed: 'Paiement abouti',
  cancelled: 'Annulation du dossier',
  notification_failed: 'Echec de notification',
  not_acknowledged: 'Notification non aboutie',
  bank_rejected: 'Rejet bancaire',
  deadline_exceeded: 'Délais dépassés',
};

export function isDossierStatus(value: unknown): value is DossierStatus {
  return typeof value === 'string' && (DOSSIER_STATUSES as readonly string[]).includes(value);
}

export function isFinalStatus(status: DossierStatus): boolean {
  return STATUS_DEFINITIONS[status].final;
}

export function statusLabel(status: DossierStatus): string {
  return STATUS_DEFINITIONS[status].label;
}

export function reportingCategory(status: DossierStatus): ReportingCategory {
  return STATUS_DEFINITIONS[status].category;
}

export function categoryLabel(category: ReportingCategory): string {
  return CATEGORY_LABELS[category];
}

export const FINAL_STATUSES: readonly DossierStatus[] = DOSSIER_STATUSES.filter((s) => STATUS_DEFINITIONS[s].final);
export const ACTIVE_STATUSES: readonly DossierStatus[] = DOSSIER_STATUSES.filter((s) => !STATUS_DEFINITIONS[s].final);
