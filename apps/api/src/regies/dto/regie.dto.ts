import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsEmail, IsNotEmpty, IsString, IsUUID, Matches, MaxLength } from 'class-validator';
import { Trim } from '../../common/identifiers';
import { IsOptionalNotNull } from '../../common/validators';

export class RegieDto {
  @ApiPropertyOptional({ example: 'Régie des hospitalisations' })
  @Trim()
  @IsOptionalNotNull()
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  name?: string;

  @ApiPropertyOptional({ example: '01 99 00 12 34', description: 'Numéro que le patient peut appeler.' })
  @Trim()
  @IsOptionalNotNull()
  @IsString()
  @Matches(/^[+()\d\s.-]{4,32}$/)
  phone?: string;

  @ApiPropertyOptional({ example: 'regie@example.test' })
  @Trim()
  @IsOptionalNotNull()
  @IsString()
  @MaxLength(254)
  @IsEmail()
  email?: string;

  @ApiPropertyOptional({ example: 'Hall d’accueil, rez-de-chaussée' })
  @Trim()
  @IsOptionalNotNull()
  @IsString()
  @MaxLength(300)
  address?: string;

  @ApiPropertyOptional({ example: 'Du lundi au vendredi, 8 h 30 – 17 h' })
  @Trim()
  @IsOptionalNotNull()
  @IsString()
  @MaxLength(200)
  openingHours?: string;

  @ApiPropertyOptional({
    format: 'uuid',
    description: 'Compte DFT (dépôt de fonds au Trésor) de la régie : un compte déclaré par POST /v1/bank-accounts. Demande la portée `accounting`.',
  })
  @IsOptionalNotNull()
  @IsUUID()
  dftAccountId?: string;
}
