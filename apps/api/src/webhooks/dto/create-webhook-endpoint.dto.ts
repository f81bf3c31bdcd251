import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, IsArray, IsString, IsUrl, Matches, MaxLength, MinLength } from 'class-validator';
import { IsOptionalNotNull } from '../../common/validators';

export class CreateWebhookEndpointDto {
  @ApiProperty({ example: 'https://gap.chu.example/diapason/webhooks' })
  @IsString()
  @MaxLength(500)
  @IsUrl({ protocols: ['http', 'https'], require_protocol: true, require_tld: false })
  url!: string;

  @ApiPropertyOptional({ description: 'Secret de signature (32 caractères au moins) ; généré et renvoyé une fois s’il est absent.' })
  @IsOptionalNotNull()
  @IsString()
  @MinLength(32)
  @MaxLength(200)
  secret?: string;

  @ApiPropertyOptional({ example: ['dossier.completed', 'dossier.bank_rejected'], description: 'Types d’événements ; absent : tous (`*`).' })
  @IsOptionalNotNull()
  @IsArray()
  @ArrayMaxSize(50)
  @IsString({ each: true })
  @Matches(/^(\*|[a-z_]+\.[a-z_]+)$/, { each: true })
  eventTypes?: string[];
}
