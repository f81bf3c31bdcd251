import { Controller, Post, Req, Res } from '@nestjs/common';
import { ApiBody, ApiConsumes, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import type { ApiKeyPrincipal } from '@diapason/persistence';
import { GapApi, Principal } from '../common/auth';
import { ApiProblems } from '../common/openapi';
import { ProblemException } from '../common/problem';
import { StatementSummaryView } from './accounting.views';
import { STATEMENT_MULTIPART_FIELD } from './statement-upload';
import { ImportStatement } from './usecases/import-statement';

@ApiTags('Comptabilité')
@GapApi('accounting')
@Controller('v1/statements')
export class StatementsController {
  constructor(private readonly importStatement: ImportStatement) {}

  @Post()
  @ApiOperation({
    operationId: 'importStatement',
    summary: 'Importer un relevé de compte (CFONB 120 ou camt.053)',
    description:
      'Le fichier de la banque ou du Trésor, tel quel dans le corps (`text/plain`, `application/xml`, `application/octet-stream`) ou en ' +
      '`multipart/form-data` (champ `file`) ; le format est reconnu d’après le contenu. Chaque compte du relevé doit être déclaré ' +
      '(POST /v1/bank-accounts). Le même fichier importé deux fois ne change rien (200, `alreadyImported: true`) ; une ligne déjà connue par un ' +
      'relevé qui chevauche n’est pas comptée deux fois. Taille maximale : DIAPASON_STATEMENT_LIMIT_BYTES.',
  })
  @ApiConsumes('text/plain', 'application/xml', 'application/octet-stream', 'multipart/form-data')
  @ApiBody({
    schema: {
      oneOf: [
        { type: 'string', format: 'binary', description: 'Le fichier du relevé.' },
        { type: 'object', properties: { [STATEMENT_MULTIPART_FIELD]: { type: 'string', format: 'binary' } }, required: [STATEMENT_MULTIPART_FIELD] },
      ],
    },
  })
  @ApiCreatedResponse({ type: StatementSummaryView, description: 'Relevé importé : son résumé par compte.' })
  @ApiOkResponse({ type: StatementSummaryView, description: 'Ce fichier avait déjà été importé : le résumé du premier import.' })
  @ApiProblems(
    { status: 400, description: '`statement_missing` : corps vide ou sans fichier ; `invalid_multipart` : formulaire mal formé.' },
    413,
    {
      status: 415,
      description: '`unsupported_media_type` : le relevé s’envoie en text/plain, application/xml, application/octet-stream ou multipart/form-data.',
    },
    {
      status: 422,
      description:
        '`invalid_bank_statement` : format non reconnu ou fichier illisible (membres `line` et `field`) ; `unknown_bank_account` : compte du relevé non déclaré (membre `iban`).',
    },
  )
  async import(
    @Principal() principal: ApiKeyPrincipal,
    @Req() request: Request,
    @Res({ passthrough: true }) response: Response,
  ): Promise<StatementSummaryView> {
    const content = Buffer.isBuffer(request.body) ? request.body : request.file?.buffer;
    if (!content) {
      throw new ProblemException(
        400,
        'statement_missing',
        `Aucun relevé reçu : envoyez le fichier dans le corps ou dans le champ « ${STATEMENT_MULTIPART_FIELD} ».`,
      );
    }
    const summary = await this.importStatement.execute(principal, content);
    response.status(summary.alreadyImported ? 200 : 201);
    return summary;
  }
}
