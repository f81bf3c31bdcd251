import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsInt, IsString, Matches, MaxLength, Min, ValidateNested } from 'class-validator';
import { IsOptionalNotNull } from '../../common/validators';

const DATE = /^\d{4}-\d{2}-\d{2}$/;

export class RemittanceDebitDto {
  @ApiProperty({ example: 'ACQ-20261123-000042', description: 'Référence de la transaction chez l’acquéreur (celle du débit).' })
  @IsString()
  @Matches(/^\S{1,64}$/)
  transactionReference!: string;

  @ApiProperty({ example: 1750, description: 'Montant en centimes.' })
  @IsInt()
  @Min(0)
  amountCents!: number;
}

export class RemittanceDto {
  @ApiProperty({ example: '7000001', description: 'Numéro du contrat commerçant.' })
  @IsString()
  @MaxLength(32)
  contract!: string;

  @ApiProperty({ example: '2026-11-23', description: 'Jour de règlement de la remise (AAAA-MM-JJ).' })
  @Matches(DATE, { message: 'date attendue au format AAAA-MM-JJ' })
  settlementDate!: string;

  @ApiProperty({ example: 3500, description: 'Total crédité par l’acquéreur, en centimes.' })
  @IsInt()
  @Min(0)
  totalCents!: number;

  @ApiPropertyOptional({ example: 'REM-2026-0001', description: 'Référence de la remise, quand elle voyage avec le crédit.' })
  @IsOptionalNotNull()
  @IsString()
  @MaxLength(64)
  reference?: string;

  @ApiProperty({ type: [RemittanceDebitDto] })
  @IsArray()
  @ArrayMaxSize(100_000)
  @ValidateNested({ each: true })
  @Type(() => RemittanceDebitDto)
  debits!: RemittanceDebitDto[];
}

export class RemittanceUploadDto {
  @ApiProperty({ type: [RemittanceDto] })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(10_000)
  @ValidateNested({ each: true })
  @Type(() => RemittanceDto)
  remittances!: RemittanceDto[];
}

export class PeriodQuery {
  @ApiPropertyOptional({ example: '2026-01-01', description: 'Premier jour inclus (AAAA-MM-JJ).' })
  @IsOptionalNotNull()
  @Matches(DATE, { message: 'date attendue au format AAAA-MM-JJ' })
  from?: string;

  @ApiPropertyOptional({ example: '2026-12-31', description: 'Dernier jour inclus (AAAA-MM-JJ).' })
  @IsOptionalNotNull()
  @Matches(DATE, { message: 'date attendue au format AAAA-MM-JJ' })
  to?: string;
}

export class RemittanceListQuery extends PeriodQuery {
  @ApiPropertyOptional({ example: '7000001', description: 'Numéro (ou identifiant) du contrat commerçant.' })
  @IsOptionalNotNull()
  @IsString()
  @MaxLength(64)
  contract?: string;
}

export class ReconciliationQuery extends PeriodQuery {
  @ApiProperty({ description: 'Compte rapproché : identifiant ou IBAN d’un compte de l’établissement.' })
  @IsString()
  @MaxLength(64)
  account!: string;
}

export class ManualMatchDto {
  @ApiProperty({ format: 'uuid' })
  @IsString()
  remittanceId!: string;

  @ApiProperty({ format: 'uuid', description: 'Ligne de crédit du relevé.' })
  @IsString()
  statementLineId!: string;

  @ApiProperty({ example: 'Remise créditée avec la commission déduite (avis de l’acquéreur du 05/01).' })
  @IsString()
  @Matches(/\S/)
  @MaxLength(500)
  reason!: string;
}

export class UnmatchDto {
  @ApiProperty({ example: 'Crédit d’une autre remise : rapprochement automatique erroné.' })
  @IsString()
  @Matches(/\S/)
  @MaxLength(500)
  reason!: string;
}
