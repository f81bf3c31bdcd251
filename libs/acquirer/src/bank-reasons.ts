/** French explanation of an issuer's refusal code, for the régie and the GAP. */
const REASONS: Record<string, string> = {
  '05': 'Refus de la banque du porteur, sans motif précisé.',
  '14': 'Numéro de carte inconnu de la banque.',
  '33': 'Carte expirée.',
  '41': 'Carte déclarée perdue.',
  '43': 'Carte déclarée volée.',
  '51': 'Provision insuffisante sur le compte du patient.',
  '54': 'Carte expirée.',
  '57': 'Opération non autorisée pour cette carte.',
  '61': 'Plafond de la carte dépassé.',
  '62': 'Carte soumise à restriction.',
  '65': 'Nombre d’opérations autorisées dépassé.',
  '91': 'Banque du porteur indisponible.',
};

export function bankReasonMessage(code: string | null): string {
  const explanation = (code && REASONS[code]) ?? 'Refus de la banque.';
  return `${explanation} Le paiement n’a pas été encaissé : facturez ce dossier par la voie habituelle.`;
}
