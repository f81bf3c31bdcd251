import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsNotEmpty, IsString, IsUUID, Matches, MaxLength } from 'class-validator';
import { MERCHANT_CONTRACT_MODALITIES } from '@diapason/persistence';
import type { MerchantContractModality } from '@diapason/persistence';
import { Trim } from '../../common/identifiers';
import { IsOptionalNotNull } from '../../common/validators';

export class MerchantContractDto {
  @ApiProperty({ example: '1234567', description: 'Numéro du contrat commerçant (contrat d’acceptation).' })
  @Trim()
  @IsString()
  @Matches(/^[A-Za-z0-9][A-Za-z0-9 ._/-]{0,31}$/)
  number!: string;

  @ApiProperty({
    enum: MERCHANT_CONTRACT_MODALITIES,
    description:
      '`proximite_contact`, `proximite_sans_contact` (paiement de proximité), `plbs_diapason` (empreinte puis débit différé), `vads` (vente à distance). ' +
      'Un contrat par modalité et par établissement.',
  })
  @IsIn(MERCHANT_CONTRACT_MODALITIES)
  modality!: MerchantContractModality;

  @ApiProperty({ example: 'Banque acquéreur', description: 'Établissement acquéreur qui crédite les remises.' })
  @Trim()
  @IsString()
  @IsNotEmpty()
  @MaxLength(100)
  acquirer!: string;

  @ApiPropertyOptional({
    format: 'uuid',
    description:
      'Compte sur lequel le contrat est réglé. Par défaut le compte DFT des régies de l’établissement (s’il n’y en a qu’un) ; ' +
      'un autre compte en multi-domiciliation.',
  })
  @IsOptionalNotNull()
  @IsUUID()
  settlementAccountId?: string;
}
