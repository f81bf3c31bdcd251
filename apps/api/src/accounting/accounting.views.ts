import { ApiProperty } from '@nestjs/swagger';
import { TREASURY_BANK_CODE, formatIban } from '@diapason/accounting';
import { MERCHANT_CONTRACT_MODALITIES } from '@diapason/persistence';
import type { BankAccountRow, JournalLineRow, MatchRow, MerchantContractModality, MerchantContractRow, RemittanceRow } from '@diapason/persistence';

export class BankAccountView {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ example: 'FR7610071750000000100012345', description: 'IBAN au format électronique (sans espaces).' }) iban!: string;
  @ApiProperty({ example: 'FR76 1007 1750 0000 0010 0012 345', description: 'IBAN par groupes de quatre, tel qu’imprimé.' }) ibanDisplay!: string;
  @ApiProperty({ example: 'Compte DFT de la régie des hospitalisations' }) label!: string;
  @ApiProperty({ description: 'Compte tenu par le Trésor (code banque 10071) : un compte DFT.' }) treasury!: boolean;
  @ApiProperty({ type: 'string', format: 'date-time' }) createdAt!: string;
  @ApiProperty({ type: 'string', format: 'date-time' }) updatedAt!: string;
}

export const toBankAccountView = (a: BankAccountRow): BankAccountView => ({
  id: a.id,
  iban: a.iban,
  ibanDisplay: formatIban(a.iban),
  label: a.label,
  treasury: a.iban.startsWith('FR') && a.iban.slice(4, 9) === TREASURY_BANK_CODE,
  createdAt: a.createdAt.toISOString(),
  updatedAt: a.updatedAt.toISOString(),
});

export class BankAccountListView {
  @ApiProperty({ type: [BankAccountView] }) data!: BankAccountView[];
}

export class MerchantContractView {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ example: '1234567' }) number!: string;
  @ApiProperty({ enum: MERCHANT_CONTRACT_MODALITIES }) modality!: MerchantContractModality;
  @ApiProperty({ example: 'Banque acquéreur' }) acquirer!: string;
  @ApiProperty({ format: 'uuid' }) settlementAccountId!: string;
  @ApiProperty({ example: 'FR7610071750000000100012345', description: 'IBAN du compte de règlement.' }) settlementIban!: string;
  @ApiProperty({ type: 'string', format: 'date-time' }) createdAt!: string;
  @ApiProperty({ type: 'string', format: 'date-time' }) updatedAt!: string;
}

export const toMerchantContractView = (c: MerchantContractRow): MerchantContractView => ({
  id: c.id,
  number: c.number,
  modality: c.modality,
  acquirer: c.acquirer,
  settlementAccountId: c.settlementAccountId,
  settlementIban: c.settlementIban,
  createdAt: c.createdAt.toISOString(),
  updatedAt: c.updatedAt.toISOString(),
});

export class MerchantContractListView {
  @ApiProperty({ type: [MerchantContractView] }) data!: MerchantContractView[];
}

export class JournalLineView {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ enum: ['plbs_completion', 'desk_payment', 'refund'], description: 'Mouvement : débit PLBS, paiement au guichet, remboursement.' })
  kind!: string;
  @ApiProperty({ example: 'REGIE-01' }) regieCode!: string;
  @ApiProperty({ type: 'string', nullable: true, description: 'Contrat commerçant ; null pour un mouvement antérieur aux contrats.' })
  contractNumber!: string | null;
  @ApiProperty({ type: 'string', nullable: true, enum: MERCHANT_CONTRACT_MODALITIES }) modality!: MerchantContractModality | null;
  @ApiProperty({ type: 'string', nullable: true, description: 'IBAN du compte de règlement du contrat.' }) accountIban!: string | null;
  @ApiProperty({ example: 1750, description: 'Montant en centimes d’euro.' }) amountCents!: number;
  @ApiProperty({ type: 'string', format: 'uuid', nullable: true }) dossierId!: string | null;
  @ApiProperty({ type: 'string', nullable: true }) gapDossierNumber!: string | null;
  @ApiProperty({ type: 'string', nullable: true }) invoiceReference!: string | null;
  @ApiProperty({ type: 'string', nullable: true, description: 'Référence de la transaction chez l’acquéreur.' }) transactionReference!: string | null;
  @ApiProperty({ type: 'string', format: 'date-time' }) debitedAt!: string;
  @ApiProperty({ type: 'string', format: 'date', description: 'Jour du débit (heure de Paris).' }) debitDate!: string;
  @ApiProperty({ type: 'string', format: 'date', nullable: true, description: 'Date de règlement annoncée par l’acquéreur.' })
  settlementDate!: string | null;
  @ApiProperty({ type: 'string', format: 'uuid', nullable: true, description: 'Remise de l’acquéreur qui contient le débit.' })
  remittanceId!: string | null;
  @ApiProperty({ type: 'string', format: 'date', nullable: true, description: 'Date de crédit sur le compte, dès que le relevé la montre.' })
  creditedOn!: string | null;
}

export const toJournalLineView = (l: JournalLineRow): JournalLineView => ({ ...l, debitedAt: l.debitedAt.toISOString() });

export class JournalView {
  @ApiProperty({ type: [JournalLineView] }) data!: JournalLineView[];
  @ApiProperty({ description: 'Nombre de lignes.' }) count!: number;
  @ApiProperty({ description: 'Total des montants, en centimes.' }) totalCents!: number;
}

export class StatementBalanceView {
  @ApiProperty({ type: 'string', format: 'date' }) date!: string;
  @ApiProperty({ description: 'Solde signé, en centimes (négatif : débiteur).' }) amountCents!: number;
}

export class StatementAccountSummaryView {
  @ApiProperty({ format: 'uuid' }) bankAccountId!: string;
  @ApiProperty() iban!: string;
  @ApiProperty() label!: string;
  @ApiProperty({ type: StatementBalanceView, nullable: true }) openingBalance!: StatementBalanceView | null;
  @ApiProperty({ type: StatementBalanceView, nullable: true }) closingBalance!: StatementBalanceView | null;
  @ApiProperty({ type: 'string', format: 'date', nullable: true, description: 'Première date d’opération.' }) from!: string | null;
  @ApiProperty({ type: 'string', format: 'date', nullable: true, description: 'Dernière date d’opération.' }) to!: string | null;
  @ApiProperty() lines!: number;
  @ApiProperty({ description: 'Lignes nouvelles (les autres étaient déjà connues par un relevé précédent).' }) newLines!: number;
  @ApiProperty() credits!: number;
  @ApiProperty({ description: 'Total des crédits, en centimes.' }) creditsCents!: number;
  @ApiProperty() debits!: number;
  @ApiProperty({ description: 'Total des débits, en centimes.' }) debitsCents!: number;
}

export class StatementSummaryView {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ enum: ['cfonb120', 'camt053'], description: 'Format reconnu d’après le contenu.' }) format!: string;
  @ApiProperty({ description: 'true : ce fichier avait déjà été importé ; rien n’a changé.' }) alreadyImported!: boolean;
  @ApiProperty({ type: 'string', format: 'date-time' }) importedAt!: string;
  @ApiProperty() lines!: number;
  @ApiProperty() newLines!: number;
  @ApiProperty({ type: [StatementAccountSummaryView] }) accounts!: StatementAccountSummaryView[];
}

export class RemittanceView {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() contractNumber!: string;
  @ApiProperty({ enum: MERCHANT_CONTRACT_MODALITIES }) modality!: MerchantContractModality;
  @ApiProperty({ description: 'IBAN du compte sur lequel le contrat est réglé.' }) settlementIban!: string;
  @ApiProperty({ type: 'string', format: 'date' }) settlementDate!: string;
  @ApiProperty({ description: 'Total de la remise, en centimes.' }) totalCents!: number;
  @ApiProperty({ type: 'string', nullable: true }) reference!: string | null;
  @ApiProperty({ enum: ['upload', 'acquirer'] }) source!: string;
  @ApiProperty() debitCount!: number;
  @ApiProperty({ description: 'Somme des débits de la remise, en centimes.' }) debitsTotalCents!: number;
  @ApiProperty({ description: 'true : les débits ne font pas le total de la remise.' }) flagged!: boolean;
  @ApiProperty({ description: 'Débits de la remise retrouvés dans le journal (débit ↔ dossier).' }) journalLines!: number;
  @ApiProperty({ type: 'string', format: 'date', nullable: true, description: 'Date du crédit rapproché sur le relevé.' }) creditDate!: string | null;
}

export const toRemittanceView = (r: RemittanceRow): RemittanceView => ({
  id: r.id,
  contractNumber: r.contractNumber,
  modality: r.modality,
  settlementIban: r.settlementIban,
  settlementDate: r.settlementDate,
  totalCents: r.totalCents,
  reference: r.reference,
  source: r.source,
  debitCount: r.debitCount,
  debitsTotalCents: r.debitsTotalCents,
  flagged: r.debitsTotalCents !== r.totalCents,
  journalLines: r.journalLines,
  creditDate: r.creditDate,
});

export class RemittanceListView {
  @ApiProperty({ type: [RemittanceView] }) data!: RemittanceView[];
}

export class RemittanceUploadView {
  @ApiProperty({ description: 'Remises nouvelles.' }) imported!: number;
  @ApiProperty({ description: 'Remises déjà connues (même contrat, même jour) : inchangées.' }) alreadyKnown!: number;
  @ApiProperty({ type: [RemittanceView] }) data!: RemittanceView[];
}

export class MatchView {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ format: 'uuid' }) remittanceId!: string;
  @ApiProperty({ format: 'uuid' }) statementLineId!: string;
  @ApiProperty({
    enum: ['reference', 'amount_and_date', 'reference_amount_difference', 'manual'],
    description: 'Par la référence, par le montant et la date, par la référence avec un écart de montant, ou à la main.',
  })
  kind!: string;
  @ApiProperty() contractNumber!: string;
  @ApiProperty({ type: 'string', format: 'date' }) settlementDate!: string;
  @ApiProperty({ type: 'string', nullable: true }) reference!: string | null;
  @ApiProperty({ description: 'Total de la remise, en centimes.' }) expectedCents!: number;
  @ApiProperty({ description: 'Montant crédité, en centimes.' }) creditedCents!: number;
  @ApiProperty({ description: 'Crédité moins attendu, en centimes.' }) differenceCents!: number;
  @ApiProperty({ type: 'string', format: 'date' }) creditDate!: string;
  @ApiProperty({ description: 'Exercice de l’arrêté annuel : l’année du crédit.' }) annualYear!: number;
  @ApiProperty() label!: string;
  @ApiProperty({ type: 'string', nullable: true, description: 'Clé d’API de l’auteur d’un rapprochement manuel.' }) matchedBy!: string | null;
  @ApiProperty({ type: 'string', nullable: true }) reason!: string | null;
  @ApiProperty({ type: 'string', format: 'date-time' }) matchedAt!: string;
}

export const toMatchView = (m: MatchRow): MatchView => ({
  id: m.id,
  remittanceId: m.remittanceId,
  statementLineId: m.statementLineId,
  kind: m.kind,
  contractNumber: m.contractNumber,
  settlementDate: m.settlementDate,
  reference: m.reference,
  expectedCents: m.expectedCents,
  creditedCents: m.creditedCents,
  differenceCents: m.differenceCents,
  creditDate: m.creditDate,
  annualYear: Number(m.creditDate.slice(0, 4)),
  label: m.label,
  matchedBy: m.matchedBy,
  reason: m.reason,
  matchedAt: m.matchedAt.toISOString(),
});

export class UnmatchedLineView {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ type: 'string', format: 'date' }) bookingDate!: string;
  @ApiProperty() amountCents!: number;
  @ApiProperty() label!: string;
  @ApiProperty({ type: 'string', nullable: true }) bankReference!: string | null;
}

export class UncreditedRemittanceView {
  @ApiProperty({ format: 'uuid' }) remittanceId!: string;
  @ApiProperty() contractNumber!: string;
  @ApiProperty({ type: 'string', format: 'date' }) settlementDate!: string;
  @ApiProperty({ type: 'string', format: 'date', description: 'Dernier jour ouvré où le crédit est attendu.' }) expectedBy!: string;
  @ApiProperty() totalCents!: number;
}

export class DebitsMismatchView {
  @ApiProperty({ format: 'uuid' }) remittanceId!: string;
  @ApiProperty() contractNumber!: string;
  @ApiProperty() totalCents!: number;
  @ApiProperty() debitsTotalCents!: number;
  @ApiProperty({ description: 'Total moins somme des débits, en centimes.' }) differenceCents!: number;
  @ApiProperty({ description: 'Débits de la remise absents du journal.' }) debitsNotInJournal!: number;
}

export class ReconciliationView {
  @ApiProperty({ type: BankAccountView }) account!: BankAccountView;
  @ApiProperty({ type: 'string', format: 'date' }) asOf!: string;
  @ApiProperty({ type: [MatchView] }) matched!: MatchView[];
  @ApiProperty({ type: [UnmatchedLineView], description: 'Crédits du relevé qu’aucune remise n’explique.' }) unmatchedLines!: UnmatchedLineView[];
  @ApiProperty({ type: [UncreditedRemittanceView], description: 'Remises non créditées après leur date attendue.' })
  overdueRemittances!: UncreditedRemittanceView[];
  @ApiProperty({ type: [UncreditedRemittanceView], description: 'Remises non créditées, encore dans leur délai.' })
  pendingRemittances!: UncreditedRemittanceView[];
  @ApiProperty({ type: [MatchView], description: 'Rapprochements dont le montant crédité n’est pas le total de la remise.' })
  amountDifferences!: MatchView[];
  @ApiProperty({ type: [DebitsMismatchView], description: 'Remises dont les débits ne font pas le total, ou absents du journal.' })
  debitsMismatches!: DebitsMismatchView[];
}

export class ContractTotalView {
  @ApiProperty({ type: 'string', nullable: true }) contractNumber!: string | null;
  @ApiProperty({ type: 'string', nullable: true, enum: MERCHANT_CONTRACT_MODALITIES }) modality!: MerchantContractModality | null;
  @ApiProperty({ type: 'string', nullable: true }) accountIban!: string | null;
  @ApiProperty() count!: number;
  @ApiProperty() totalCents!: number;
}

export class AccountTotalView {
  @ApiProperty({ type: 'string', nullable: true }) accountIban!: string | null;
  @ApiProperty() count!: number;
  @ApiProperty() totalCents!: number;
}

export class CountTotalView {
  @ApiProperty() count!: number;
  @ApiProperty() totalCents!: number;
}

export class UnreconciledView extends CountTotalView {
  @ApiProperty({ type: [JournalLineView] }) lines!: JournalLineView[];
}

export class AnnualStatementView {
  @ApiProperty() establishment!: string;
  @ApiProperty() regieCode!: string;
  @ApiProperty() regieName!: string;
  @ApiProperty() year!: number;
  @ApiProperty({ type: 'string', format: 'date-time' }) editedAt!: string;
  @ApiProperty({ description: 'Encaissements crédités pendant l’exercice.' }) count!: number;
  @ApiProperty({ description: 'Leur total, en centimes.' }) totalCents!: number;
  @ApiProperty({ type: [ContractTotalView] }) byContract!: ContractTotalView[];
  @ApiProperty({ type: [AccountTotalView] }) byAccount!: AccountTotalView[];
  @ApiProperty({ type: [JournalLineView], description: 'Les encaissements crédités pendant l’exercice.' }) lines!: JournalLineView[];
  @ApiProperty({ type: CountTotalView, description: 'Débits de l’exercice crédités l’année suivante : ils comptent dans l’exercice suivant.' })
  carriedOver!: CountTotalView;
  @ApiProperty({ type: UnreconciledView, description: 'Débits jusqu’à la fin de l’exercice encore sans crédit à la date d’édition.' })
  unreconciled!: UnreconciledView;
}
