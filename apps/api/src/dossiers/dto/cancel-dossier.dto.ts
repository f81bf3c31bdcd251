import { ApiProperty } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsNotEmpty, IsString, MaxLength } from 'class-validator';

export class CancelDossierDto {
  @ApiProperty({
    example: 'gap_decision',
    description: 'Motif de l’annulation (code ou texte libre). `patient_choice` : le patient paie autrement.',
    maxLength: 200,
  })
  @Transform(({ value }) => (typeof value === 'string' ? value.trim() : value))
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  reason!: string;
}
