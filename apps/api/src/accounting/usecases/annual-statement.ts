import { Injectable } from '@nestjs/common';
import PDFDocument from 'pdfkit';
import { DomainError } from '@diapason/domain';
import type { Clock } from '@diapason/domain';
import { InjectClock } from '@diapason/config';
import { formatCentsFrench, formatIban } from '@diapason/accounting';
import { AccountingRepository, ApiKeyPrincipal, EstablishmentRepository, JournalLineRow, TransactionContext } from '@diapason/persistence';
import { AnnualStatementView, toJournalLineView } from '../accounting.views';
import { Journal } from './journal';

const PARIS = new Intl.DateTimeFormat('fr-FR', { timeZone: 'Europe/Paris', dateStyle: 'long', timeStyle: 'short' });
const euros = (cents: number): string => `${formatCentsFrench(cents).replace(/\B(?=(\d{3})+(?!\d))/g, '\u00a0')} €`;
const sum = (lines: readonly JournalLineRow[]): number => lines.reduce((total, line) => total + line.amountCents, 0);

function totalsBy<K extends string>(lines: readonly JournalLineRow[], key: (line: JournalLineRow) => K) {
  const groups = new Map<K, JournalLineRow[]>();
  for (const line of lines) groups.set(key(line), [...(groups.get(key(line)) ?? []), line]);
  return [...groups.entries()].map(([group, members]) => ({ group, first: members[0], count: members.length, totalCents: sum(members) }));
}

/**
 * The arrêté annuel of a régie: every encashment credited on the account during the year, whatever
 * the year of its debit (a card debited on 31 December and credited on 2 January counts in the
 * next year; nothing is suspended at year end), its totals per contract and per account, and what
 * is still not credited at the date of edition.
 */
@Injectable()
export class AnnualStatements {
  constructor(
    private readonly tx: TransactionContext,
    private readonly accounting: AccountingRepository,
    private readonly establishments: EstablishmentRepository,
    private readonly journal: Journal,
    @InjectClock() private readonly clock: Clock,
  ) {}

  async build(principal: ApiKeyPrincipal, regieCode: string, year: number): Promise<{ view: AnnualStatementView; lines: JournalLineRow[] }> {
    if (!Number.isInteger(year) || year < 2000 || year > 2100) {
      throw new DomainError('invalid', 'invalid_year', `Exercice invalide : ${year} (attendu une année, par exemple 2026).`);
    }
    return this.tx.snapshot(async () => {
      const regie = await this.establishments.findRegie(principal.establishmentId, regieCode);
      if (!regie) throw new DomainError('not_found', 'regie_not_found', `Aucune régie ${regieCode} pour cet établissement.`);
      const establishment = await this.establishments.findById(principal.establishmentId);
      const est = principal.establishmentId;
      const lines = await this.accounting.journal(est, { regieId: regie.id, creditedFrom: `${year}-01-01`, creditedTo: `${year}-12-31` });
      const uncredited = await this.accounting.journal(est, { regieId: regie.id, to: `${year}-12-31`, uncredited: true });
      const carriedOver = (await this.accounting.journal(est, { regieId: regie.id, from: `${year}-01-01`, to: `${year}-12-31` })).filter(
        (line) => line.creditedOn !== null && line.creditedOn > `${year}-12-31`,
      );
      const editedAt = this.clock.now();
      return {
        lines,
        view: {
          establishment: establishment?.name ?? '',
          regieCode: regie.code,
          regieName: regie.name,
          year,
          editedAt: editedAt.toISOString(),
          count: lines.length,
          totalCents: sum(lines),
          byContract: totalsBy(lines, (line) => line.contractNumber ?? '').map((g) => ({
            contractNumber: g.first.contractNumber,
            modality: g.first.modality,
            accountIban: g.first.accountIban,
            count: g.count,
            totalCents: g.totalCents,
          })),
          byAccount: totalsBy(lines, (line) => line.accountIban ?? '').map((g) => ({
            accountIban: g.first.accountIban,
            count: g.count,
            totalCents: g.totalCents,
          })),
          lines: lines.map(toJournalLineView),
          carriedOver: { count: carriedOver.length, totalCents: sum(carriedOver) },
          unreconciled: { count: uncredited.length, totalCents: sum(uncredited), lines: uncredited.map(toJournalLineView) },
        },
      };
    });
  }

  csv(lines: readonly JournalLineRow[]): Buffer {
    return this.journal.csv(lines);
  }

  xlsx(view: AnnualStatementView, lines: readonly JournalLineRow[]): Promise<Buffer> {
    return this.journal.xlsx(lines, `Arrêté ${view.regieCode} ${view.year}`);
  }

  /** One page to sign: establishment, régie, year, totals, what is not credited, date of edition. */
  pdf(view: AnnualStatementView): Promise<Buffer> {
    const doc = new PDFDocument({
      size: 'A4',
      margin: 56,
      info: { Title: `Arrêté annuel ${view.year} — ${view.regieName}`, Author: 'DIAPASON', CreationDate: new Date(view.editedAt) },
    });
    const chunks: Buffer[] = [];
    doc.on('data', (chunk: Buffer) => chunks.push(chunk));
    const ended = new Promise<void>((resolve, reject) => {
      doc.on('end', resolve);
      doc.on('error', reject);
    });
    doc.font('Helvetica-Bold').fontSize(16).text(`Arrêté annuel des encaissements par carte — exercice ${view.year}`);
    doc.moveDown(0.5).font('Helvetica').fontSize(11);
    doc.text(`Établissement : ${view.establishment}`);
    doc.text(`Régie : ${view.regieName} (${view.regieCode})`);
    doc.text(`Édité le ${PARIS.format(new Date(view.editedAt))}`);
    doc.moveDown();
    doc.text(
      `Chaque encaissement compte dans l’exercice de son crédit sur le compte de la régie, quelle que soit la date du débit de la carte ; ` +
        `aucune suspension en fin d’année.`,
      { width: 480 },
    );
    doc.moveDown();
    doc.font('Helvetica-Bold').text(`Total de l’exercice : ${euros(view.totalCents)} (${view.count} encaissements)`);
    doc.moveDown(0.5).font('Helvetica-Bold').text('Par contrat commerçant');
    doc.font('Helvetica');
    for (const row of view.byContract) {
      doc.text(`${row.contractNumber ?? 'sans contrat'} (${row.modality ?? '—'}) : ${euros(row.totalCents)} — ${row.count} encaissements`);
    }
    doc.moveDown(0.5).font('Helvetica-Bold').text('Par compte de règlement');
    doc.font('Helvetica');
    for (const row of view.byAccount) {
      doc.text(`${row.accountIban ? formatIban(row.accountIban) : 'compte non renseigné'} : ${euros(row.totalCents)} — ${row.count} encaissements`);
    }
    doc.moveDown();
    doc.text(
      `Débits de l’exercice crédités l’année suivante (comptés dans l’exercice suivant) : ${euros(view.carriedOver.totalCents)} (${view.carriedOver.count}).`,
    );
    doc.text(`Non encore crédités à la date d’édition : ${euros(view.unreconciled.totalCents)} (${view.unreconciled.count}).`);
    doc.text(`Le détail des lignes figure dans les exports CSV et XLSX de cet arrêté.`);
    doc.moveDown(3);
    const top = doc.y;
    doc.text('Le régisseur', 56, top).text('Date et signature :', 56, top + 16);
    doc.text('Le comptable public', 320, top).text('Date et signature :', 320, top + 16);
    doc.end();
    return ended.then(() => Buffer.concat(chunks));
  }
}
