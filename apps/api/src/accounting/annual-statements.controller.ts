import { Controller, Get, Param, Query, StreamableFile } from '@nestjs/common';
import { ApiExtraModels, ApiOkResponse, ApiOperation, ApiProperty, ApiPropertyOptional, ApiTags, getSchemaPath } from '@nestjs/swagger';
import { IsIn } from 'class-validator';
import type { ApiKeyPrincipal } from '@diapason/persistence';
import { GapApi, Principal } from '../common/auth';
import { ApiProblems } from '../common/openapi';
import { IsOptionalNotNull } from '../common/validators';
import { AnnualStatementView } from './accounting.views';
import { CSV_CONTENT_TYPE, XLSX_CONTENT_TYPE } from './journal.controller';
import { AnnualStatements } from './usecases/annual-statement';

const FORMATS = ['json', 'csv', 'xlsx', 'pdf'] as const;

export class AnnualStatementQuery {
  @ApiPropertyOptional({ enum: FORMATS, default: 'json' })
  @IsOptionalNotNull()
  @IsIn(FORMATS)
  format?: (typeof FORMATS)[number];
}

export class AnnualStatementParams {
  @ApiProperty() regie!: string;
  @ApiProperty() year!: string;
}

@ApiTags('Comptabilité')
@GapApi('accounting')
@ApiExtraModels(AnnualStatementView)
@Controller('v1/annual-statements')
export class AnnualStatementsController {
  constructor(private readonly statements: AnnualStatements) {}

  @Get(':regie/:year')
  @ApiOperation({
    operationId: 'getAnnualStatement',
    summary: 'Arrêté annuel d’une régie',
    description:
      'Chaque encaissement compte dans l’année de son crédit sur le compte (un débit du 31 décembre crédité le 2 janvier compte dans ' +
      'l’exercice suivant) ; aucune suspension en fin d’année. Totaux par contrat et par compte, liste des lignes, ce qui reste non crédité ' +
      'à la date d’édition. `format=pdf` : une page prête à signer (régisseur, comptable public).',
  })
  @ApiOkResponse({
    content: {
      'application/json': { schema: { $ref: getSchemaPath(AnnualStatementView) } },
      'text/csv': { schema: { type: 'string' } },
      [XLSX_CONTENT_TYPE]: { schema: { type: 'string', format: 'binary' } },
      'application/pdf': { schema: { type: 'string', format: 'binary' } },
    },
  })
  @ApiProblems(
    { status: 400, description: '`validation_failed` : paramètre invalide ou inconnu.' },
    { status: 404, description: '`regie_not_found` : aucune régie de ce code pour l’établissement.' },
    { status: 422, description: '`invalid_year` : l’exercice n’est pas une année.' },
  )
  async get(
    @Principal() principal: ApiKeyPrincipal,
    @Param('regie') regie: string,
    @Param('year') year: string,
    @Query() query: AnnualStatementQuery,
  ): Promise<AnnualStatementView | StreamableFile> {
    const { view, lines } = await this.statements.build(principal, regie, /^\d{4}$/.test(year) ? Number(year) : NaN);
    const name = `arrete-${view.regieCode}-${view.year}`;
    switch (query.format ?? 'json') {
      case 'csv':
        return new StreamableFile(this.statements.csv(lines), { type: CSV_CONTENT_TYPE, disposition: `attachment; filename="${name}.csv"` });
      case 'xlsx':
        return new StreamableFile(await this.statements.xlsx(view, lines), {
          type: XLSX_CONTENT_TYPE,
          disposition: `attachment; filename="${name}.xlsx"`,
        });
      case 'pdf':
        return new StreamableFile(await this.statements.pdf(view), { type: 'application/pdf', disposition: `attachment; filename="${name}.pdf"` });
      default:
        return view;
    }
  }
}
