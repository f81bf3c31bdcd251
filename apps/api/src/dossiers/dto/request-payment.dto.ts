import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, IsString, Matches, Max, Min } from 'class-validator';
import { MAX_AMOUNT_CENTS } from '@diapason/domain';
import { IDENTIFIER_PATTERN } from '../../common/identifiers';
import { IsOptionalNotNull } from '../../common/validators';

export class RequestPaymentDto {
  @ApiProperty({ type: 'integer', minimum: 1, example: 1750, description: 'Montant dû en centimes d’euro, au plus le plafond de l’empreinte.' })
  @IsInt()
  @Min(1)
  @Max(MAX_AMOUNT_CENTS)
  amountCents!: number;

  @ApiPropertyOptional({ example: 'FAC-2026-0042' })
  @IsOptionalNotNull()
  @IsString()
  @Matches(IDENTIFIER_PATTERN)
  invoiceReference?: string;
}
