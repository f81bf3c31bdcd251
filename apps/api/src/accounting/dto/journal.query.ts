import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsString, Matches, MaxLength } from 'class-validator';
import { IsOptionalNotNull } from '../../common/validators';

const DATE = /^\d{4}-\d{2}-\d{2}$/;

export const JOURNAL_FORMATS = ['json', 'csv', 'xlsx'] as const;
export type JournalFormat = (typeof JOURNAL_FORMATS)[number];

export class JournalQuery {
  @ApiPropertyOptional({ example: 'REGIE-01', description: 'Code de la régie.' })
  @IsOptionalNotNull()
  @IsString()
  @MaxLength(32)
  regie?: string;

  @ApiPropertyOptional({ example: '1234567', description: 'Numéro (ou identifiant) du contrat commerçant.' })
  @IsOptionalNotNull()
  @IsString()
  @MaxLength(64)
  contract?: string;

  @ApiPropertyOptional({ example: '2026-01-01', description: 'Premier jour de débit inclus (AAAA-MM-JJ, heure de Paris).' })
  @IsOptionalNotNull()
  @Matches(DATE, { message: 'date attendue au format AAAA-MM-JJ' })
  from?: string;

  @ApiPropertyOptional({ example: '2026-12-31', description: 'Dernier jour de débit inclus (AAAA-MM-JJ, heure de Paris).' })
  @IsOptionalNotNull()
  @Matches(DATE, { message: 'date attendue au format AAAA-MM-JJ' })
  to?: string;

  @ApiPropertyOptional({
    enum: JOURNAL_FORMATS,
    default: 'json',
    description: 'json, csv (séparateur « ; », virgule décimale, UTF-8 avec BOM) ou xlsx.',
  })
  @IsOptionalNotNull()
  @IsIn(JOURNAL_FORMATS)
  format?: JournalFormat;
}
