import { ApiProperty } from '@nestjs/swagger';
import { IsInt, IsString, Matches, Max, Min } from 'class-validator';
import { TERMINAL_CODE_PATTERN } from '../../common/identifiers';
import { MAX_AMOUNT_CENTS } from '@diapason/domain';

export class RequestImprintDto {
  @ApiProperty({ example: 'TPE-ACCUEIL-1', description: 'Identifiant du terminal (POST /v1/terminals).' })
  @IsString()
  @Matches(TERMINAL_CODE_PATTERN)
  terminalId!: string;

  @ApiProperty({
    type: 'integer',
    minimum: 1,
    example: 5000,
    description: 'Plafond de l’empreinte en centimes : le débit ne pourra pas le dépasser.',
  })
  @IsInt()
  @Min(1)
  @Max(MAX_AMOUNT_CENTS)
  ceilingCents!: number;
}
