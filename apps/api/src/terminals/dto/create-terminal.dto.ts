import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsNotEmpty, IsString, Matches, MaxLength } from 'class-validator';
import type { TerminalModel } from '@diapason/terminal-bridge';
import { TERMINAL_MODELS } from '@diapason/terminal-bridge';
import { CODE_PATTERN, HOST_PATTERN, TERMINAL_CODE_PATTERN, Trim } from '../../common/identifiers';
import { IsOptionalNotNull } from '../../common/validators';

export class CreateTerminalDto {
  @ApiProperty({ example: 'TPE-ACCUEIL-1', description: 'Identifiant choisi par l’établissement.' })
  @IsString()
  @Matches(TERMINAL_CODE_PATTERN)
  id!: string;

  @ApiProperty({ example: 'Accueil des admissions, guichet 1' })
  @Trim()
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  label!: string;

  @ApiProperty({ enum: TERMINAL_MODELS })
  @IsIn(TERMINAL_MODELS)
  model!: TerminalModel;

  @ApiProperty({ example: 'REGIE-01' })
  @IsString()
  @Matches(CODE_PATTERN)
  regieCode!: string;

  @ApiProperty({
    example: 'tcp://10.12.0.31:8888',
    description:
      'serial:///dev/ttyACM0?baudRate=9600 (Concert V2) ou tcp://hôte:8888 (Concert V3). Réseau dans DIAPASON_TERMINAL_ALLOWED_NETWORKS, ' +
      'port série dans DIAPASON_SERIAL_DEVICES ; une adresse appartient à un seul terminal en service.',
  })
  @IsString()
  @MaxLength(500)
  transportUrl!: string;

  @ApiPropertyOptional({ description: 'Poste auquel le terminal est relié (liaison série) ; absent pour un terminal IP.' })
  @IsOptionalNotNull()
  @IsString()
  @Matches(HOST_PATTERN)
  bridgeHost?: string;
}
