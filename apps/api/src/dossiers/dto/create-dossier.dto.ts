import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import { IsEmail, IsISO8601, IsNotEmpty, IsObject, IsString, Matches, MaxLength, ValidateNested } from 'class-validator';
import { normalizePhone } from '@diapason/notifier';
import { CODE_PATTERN, IDENTIFIER_PATTERN, Trim } from '../../common/identifiers';
import { IsPatientPhone, IsOptionalNotNull } from '../../common/validators';

export class PatientDto {
  @ApiProperty({ example: 'DUPONT', maxLength: 100 })
  @Trim()
  @IsString()
  @IsNotEmpty()
  @MaxLength(100)
  lastName!: string;

  @ApiProperty({ example: 'Marie', maxLength: 100 })
  @Trim()
  @IsString()
  @IsNotEmpty()
  @MaxLength(100)
  firstName!: string;

  @ApiPropertyOptional({
    example: '06 39 98 01 01',
    description: 'Mobile du patient, écrit à la française ou au format international ; renvoyé en E.164.',
  })
  @Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? (normalizePhone(value) ?? value) : value))
  @IsPatientPhone()
  phone?: string;

  @ApiPropertyOptional({ example: 'marie.dupont@example.test', maxLength: 254 })
  @Trim()
  @IsOptionalNotNull()
  @IsString()
  @MaxLength(254)
  @IsEmail({ allow_display_name: false, allow_ip_domain: false })
  email?: string;
}

export class CreateDossierDto {
  @ApiProperty({ example: 'GAP-2026-000123', description: 'Numéro du dossier (séjour) dans la GAP.' })
  @IsString()
  @Matches(IDENTIFIER_PATTERN)
  gapDossierNumber!: string;

  @ApiProperty({ example: 'REGIE-01', description: 'Code de la régie de recettes qui encaisse.' })
  @IsString()
  @Matches(CODE_PATTERN)
  regieCode!: string;

  @ApiProperty({ type: PatientDto })
  @IsObject()
  @ValidateNested()
  @Type(() => PatientDto)
  patient!: PatientDto;

  @ApiPropertyOptional({ example: '2026-11-20', format: 'date' })
  @IsOptionalNotNull()
  @IsString()
  @Matches(/^\d{4}-\d{2}-\d{2}$/)
  @IsISO8601({ strict: true, strictSeparator: true })
  admissionDate?: string;
}
