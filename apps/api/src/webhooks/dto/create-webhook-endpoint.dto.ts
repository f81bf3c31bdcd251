import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, IsArray, IsString, Matches, MaxLength, MinLength } from 'class-validator';
import { IsHttpUrl, IsOptionalNotNull } from '../../common/validators';

/** The column's width (`webhook_endpoint.url varchar(500)`), for the URL as given and as normalised. */
export const MAX_WEBHOOK_URL_LENGTH = 500;

export class CreateWebhookEndpointDto {
  @ApiProperty({
    example: 'https://gap.chu.example/diapason/webhooks',
    format: 'uri',
    maxLength: MAX_WEBHOOK_URL_LENGTH,
    description:
      'Adresse https de la GAP, sans identifiants (`utilisateur:mot de passe@`). Refusées (422) : bouclage, adresses non spécifiées, ' +
      'de lien local, de multidiffusion, des métadonnées du nuage, et réseaux privés non listés par l’exploitant ' +
      '(`DIAPASON_WEBHOOK_ALLOWED_NETWORKS`) ; http n’est accepté que vers un réseau listé. Vérifiée à nouveau à chaque envoi, ' +
      'sur l’adresse IP jointe. Renvoyée normalisée.',
  })
  @IsString()
  @MaxLength(MAX_WEBHOOK_URL_LENGTH)
  @IsHttpUrl()
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
