import { Injectable } from '@nestjs/common';
import { DomainError } from '@diapason/domain';
import { ExportColumn, toFrenchCsv, toXlsx } from '@diapason/accounting';
import { AccountingRepository, ApiKeyPrincipal, EstablishmentRepository, JournalLineRow } from '@diapason/persistence';
import { JournalQuery } from '../dto/journal.query';

const KIND_LABELS: Record<string, string> = { plbs_completion: 'Débit PLBS', desk_payment: 'Paiement au guichet', refund: 'Remboursement' };

type JournalExportRow = JournalLineRow & { kindLabel: string };

/** The columns of the CSV and XLSX exports, in the order accountants read them. */
export const JOURNAL_COLUMNS: readonly ExportColumn<JournalExportRow>[] = [
  { header: 'Date de débit', key: 'debitDate', type: 'date' },
  { header: 'Mouvement', key: 'kindLabel', type: 'text' },
  { header: 'Régie', key: 'regieCode', type: 'text' },
  { header: 'Contrat', key: 'contractNumber', type: 'text' },
  { header: 'Compte', key: 'accountIban', type: 'text' },
  { header: 'Montant', key: 'amountCents', type: 'cents' },
  { header: 'Dossier GAP', key: 'gapDossierNumber', type: 'text' },
  { header: 'Facture', key: 'invoiceReference', type: 'text' },
  { header: 'Transaction acquéreur', key: 'transactionReference', type: 'text' },
  { header: 'Date de règlement', key: 'settlementDate', type: 'date' },
  { header: 'Remise', key: 'remittanceId', type: 'text' },
  { header: 'Date de crédit', key: 'creditedOn', type: 'date' },
  { header: 'Dossier DIAPASON', key: 'dossierId', type: 'text' },
];

/** The encashment journal: one line per money movement, filtered by régie, contract and debit days. */
@Injectable()
export class Journal {
  constructor(
    private readonly accounting: AccountingRepository,
    private readonly establishments: EstablishmentRepository,
  ) {}

  async lines(principal: ApiKeyPrincipal, query: JournalQuery): Promise<JournalLineRow[]> {
    if (query.from && query.to && query.from > query.to) {
      throw new DomainError('invalid', 'invalid_period', 'La date de début (from) est postérieure à la date de fin (to).', {
        errors: [{ field: 'from', message: 'après « to »' }],
      });
    }
    let regieId: string | undefined;
    if (query.regie !== undefined) {
      const regie = await this.establishments.findRegie(principal.establishmentId, query.regie);
      if (!regie) throw new DomainError('not_found', 'regie_not_found', `Aucune régie ${query.regie} pour cet établissement.`);
      regieId = regie.id;
    }
    let contractId: string | undefined;
    if (query.contract !== undefined) {
      const contract =
        (await this.accounting.findContractByNumber(principal.establishmentId, query.contract)) ??
        (await this.accounting.findContract(principal.establishmentId, query.contract));
      if (!contract) {
        throw new DomainError('not_found', 'merchant_contract_not_found', `Aucun contrat commerçant ${query.contract} pour cet établissement.`);
      }
      contractId = contract.id;
    }
    return this.accounting.journal(principal.establishmentId, { regieId, contractId, from: query.from, to: query.to });
  }

  csv(lines: readonly JournalLineRow[]): Buffer {
    return toFrenchCsv(JOURNAL_COLUMNS, lines.map(forExport));
  }

  xlsx(lines: readonly JournalLineRow[], sheetName = 'Journal des encaissements'): Promise<Buffer> {
    return toXlsx(sheetName, JOURNAL_COLUMNS, lines.map(forExport));
  }
}

const forExport = (line: JournalLineRow): JournalExportRow => ({ ...line, kindLabel: KIND_LABELS[line.kind] ?? line.kind });
