import { ApiProperty } from '@nestjs/swagger';
import { IsNotEmpty, IsString, MaxLength } from 'class-validator';
import { Trim } from '../../common/identifiers';

export class CancelDossierDto {
  @ApiProperty({
    example: 'gap_decision',
    description: 'Motif de l’annulation (code ou texte libre). `patient_choice` : le patient paie autrement.',
    maxLength: 200,
  })
  @Trim()
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  reason!: string;
}
