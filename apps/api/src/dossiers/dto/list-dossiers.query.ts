import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsString, MaxLength } from 'class-validator';
import { PageQuery } from '../../common/page.query';
import type { DossierStatus } from '@diapason/domain';
import { DOSSIER_STATUSES } from '@diapason/domain';
import { IsOptionalNotNull } from '../../common/validators';

export class ListDossiersQuery extends PageQuery {
  @ApiPropertyOptional({ enum: DOSSIER_STATUSES })
  @IsOptionalNotNull()
  @IsIn(DOSSIER_STATUSES)
  status?: DossierStatus;

  @ApiPropertyOptional()
  @IsOptionalNotNull()
  @IsString()
  @MaxLength(64)
  gapDossierNumber?: string;
}
