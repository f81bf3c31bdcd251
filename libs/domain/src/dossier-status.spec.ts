import {
  ACTIVE_STATUSES,
  DOSSIER_STATUSES,
  FINAL_STATUSES,
  REPORTING_CATEGORIES,
  categoryLabel,
  isDossierStatus,
  reportingCategory,
  statusLabel,
} from './dossier-status';

describe('dossier statuses', () => {
  it('maps every status to one of the seven reporting categories', () => {
    expect(REPORTING_CATEGORIES).toHaveLength(7);
    const map = Object.fromEntries(DOSSIER_STATUSES.map((s) => [s, reportingCategory(s)]));
    expect(map).toEqual({
      awaiting_imprint: 'in_progress',
      imprinted: 'in_progress',
      payment_requested: 'in_progress',
      acknowledged: 'in_progress',
      completing: 'in_progress',
      completed: 'completed',
      cancelled: 'cancelled',
      notification_failed: 'notification_failed',
      not_acknowledged: 'not_acknowledged',
      bank_rejected: 'bank_rejected',
      deadline_exceeded: 'deadline_exceeded',
    });
  });

  it('uses the programme French labels for the categories', () => {
    expect(REPORTING_CATEGORIES.map(categoryLabel)).toEqual([
      'Dossier en cours',
      'Paiement abouti',
      'Annulation du dossier',
      'Echec de notification',
      'Notification non aboutie',
      'Rejet bancaire',
      'Délais dépassés',
    ]);
  });

  it('gives every status a French label', () => {
    for (const s of DOSSIER_STATUSES) expect(statusLabel(s)).toMatch(/\S/);
    expect(statusLabel('completed')).toBe('Paiement abouti');
  });

  it('splits final and active statuses', () => {
    expect([...FINAL_STATUSES].sort()).toEqual(
      ['bank_rejected', 'cancelled', 'completed', 'deadline_exceeded', 'not_acknowledged', 'notification_failed'].sort(),
    );
    expect(ACTIVE_STATUSES).toHaveLength(5);
  });

  it('recognises status codes', () => {
    expect(isDossierStatus('completing')).toBe(true);
    expect(isDossierStatus('COMPLETED')).toBe(false);
    expect(isDossierStatus(3)).toBe(false);
  });
});
