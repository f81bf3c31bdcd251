import { Controller, Get, Query, StreamableFile } from '@nestjs/common';
import { ApiExtraModels, ApiOkResponse, ApiOperation, ApiProduces, ApiTags, getSchemaPath } from '@nestjs/swagger';
import type { ApiKeyPrincipal } from '@diapason/persistence';
import { GapApi, Principal } from '../common/auth';
import { ApiProblems } from '../common/openapi';
import { JournalView, toJournalLineView } from './accounting.views';
import { JournalQuery } from './dto/journal.query';
import { Journal } from './usecases/journal';

export const CSV_CONTENT_TYPE = 'text/csv; charset=utf-8';
export const XLSX_CONTENT_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

@ApiTags('Comptabilité')
@GapApi('accounting')
@ApiExtraModels(JournalView)
@Controller('v1/journal')
export class JournalController {
  constructor(private readonly journal: Journal) {}

  @Get()
  @ApiOperation({
    operationId: 'getJournal',
    summary: 'Journal des encaissements : une ligne par mouvement d’argent',
    description:
      'Chaque débit PLBS abouti (et plus tard chaque paiement au guichet, chaque remboursement), avec sa régie, son contrat, son compte, ' +
      'son montant, son dossier, sa référence de transaction, sa date de débit, sa remise et sa date de crédit dès que le relevé la montre. ' +
      '`format=csv` : séparateur « ; », virgule décimale, UTF-8 avec BOM ; `format=xlsx` : cellules typées (montants en euros, dates).',
  })
  @ApiProduces('application/json', 'text/csv', XLSX_CONTENT_TYPE)
  @ApiOkResponse({
    description: 'Le journal, du plus ancien débit au plus récent.',
    content: {
      'application/json': { schema: { $ref: getSchemaPath(JournalView) } },
      'text/csv': { schema: { type: 'string' } },
      [XLSX_CONTENT_TYPE]: { schema: { type: 'string', format: 'binary' } },
    },
  })
  @ApiProblems(
    { status: 400, description: '`validation_failed` : paramètre invalide ou inconnu (détail dans `errors`).' },
    {
      status: 404,
      description: '`regie_not_found`, `merchant_contract_not_found` : la régie ou le contrat filtré n’existe pas pour l’établissement.',
    },
    { status: 422, description: '`invalid_period` : from après to.' },
  )
  async get(@Principal() principal: ApiKeyPrincipal, @Query() query: JournalQuery): Promise<JournalView | StreamableFile> {
    const lines = await this.journal.lines(principal, query);
    switch (query.format ?? 'json') {
      case 'csv':
        return new StreamableFile(this.journal.csv(lines), {
          type: CSV_CONTENT_TYPE,
          disposition: 'attachment; filename="journal-encaissements.csv"',
        });
      case 'xlsx':
        return new StreamableFile(await this.journal.xlsx(lines), {
          type: XLSX_CONTENT_TYPE,
          disposition: 'attachment; filename="journal-encaissements.xlsx"',
        });
      default:
        return {
          data: lines.map(toJournalLineView),
          count: lines.length,
          totalCents: lines.reduce((sum, line) => sum + line.amountCents, 0),
        };
    }
  }
}
