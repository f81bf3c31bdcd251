import { ApiProperty } from '@nestjs/swagger';
import { IsNotEmpty, IsString, MaxLength } from 'class-validator';
import { Trim } from '../../common/identifiers';

export class BankAccountDto {
  @ApiProperty({
    example: 'FR76 1007 1750 0000 0010 0012 345',
    description: 'IBAN du compte (espaces admis) ; la clé de contrôle est vérifiée (ISO 13616, et la clé RIB pour un compte français).',
  })
  @IsString()
  @MaxLength(64)
  iban!: string;

  @ApiProperty({ example: 'Compte DFT de la régie des hospitalisations' })
  @Trim()
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  label!: string;
}
