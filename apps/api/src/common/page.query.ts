import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsString, Max, MaxLength, Min } from 'class-validator';
import { IsOptionalNotNull } from './validators';

export const DEFAULT_PAGE_SIZE = 20;

/** `limit` and `cursor`, the same on every list of the API. */
export class PageQuery {
  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: 100, default: DEFAULT_PAGE_SIZE })
  @IsOptionalNotNull()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(100)
  limit?: number;

  @ApiPropertyOptional({ description: 'Valeur `nextCursor` de la page précédente.' })
  @IsOptionalNotNull()
  @IsString()
  @MaxLength(200)
  cursor?: string;
}
