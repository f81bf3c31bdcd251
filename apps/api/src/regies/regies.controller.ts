import { Body, Controller, Get, Param, Put } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProperty, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsEmail, IsNotEmpty, IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import type { ApiKeyPrincipal, RegieEntity } from '@diapason/persistence';
import { EstablishmentRepository } from '@diapason/persistence';
import { GapApi, Principal } from '../common/gap-auth';
import { ProblemException } from '../common/problem';

const trim = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);

export class RegieDto {
  @ApiPropertyOptional({ example: 'Régie des hospitalisations' })
  @Transform(trim)
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  name?: string;

  @ApiPropertyOptional({ example: '01 99 00 12 34', description: 'Numéro que le patient peut appeler.' })
  @Transform(trim)
  @IsOptional()
  @IsString()
  @Matches(/^[+()\d\s.\-]{4,32}$/)
  phone?: string;

  @ApiPropertyOptional({ example: 'regie@example.test' })
  @Transform(trim)
  @IsOptional()
  @IsString()
  @MaxLength(254)
  @IsEmail()
  email?: string;

  @ApiPropertyOptional({ example: 'Hall d’accueil, rez-de-chaussée' })
  @Transform(trim)
  @IsOptional()
  @IsString()
  @MaxLength(300)
  address?: string;

  @ApiPropertyOptional({ example: 'Du lundi au vendredi, 8 h 30 – 17 h' })
  @Transform(trim)
  @IsOptional()
  @IsString()
  @MaxLength(200)
  openingHours?: string;
}

export class RegieView {
  @ApiProperty() code!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ nullable: true }) phone!: string | null;
  @ApiProperty({ nullable: true }) email!: string | null;
  @ApiProperty({ nullable: true }) address!: string | null;
  @ApiProperty({ nullable: true }) openingHours!: string | null;
}

const toView = (r: RegieEntity): RegieView => ({
  code: r.code,
  name: r.name,
  phone: r.phone,
  email: r.email,
  address: r.address,
  openingHours: r.openingHours,
});

/** Régies are registered by the first dossier naming them; their contact details appear in notices. */
@ApiTags('Régies')
@GapApi()
@Controller('v1/regies')
export class RegiesController {
  constructor(private readonly establishments: EstablishmentRepository) {}

  @Get()
  @ApiOperation({ summary: 'Lister les régies de l’établissement' })
  @ApiOkResponse({ type: [RegieView] })
  async list(@Principal() principal: ApiKeyPrincipal): Promise<{ data: RegieView[] }> {
    return { data: (await this.establishments.listRegies(principal.establishmentId)).map(toView) };
  }

  @Put(':code')
  @ApiOperation({ summary: 'Créer ou compléter une régie (nom et coordonnées montrés au patient)' })
  @ApiOkResponse({ type: RegieView })
  async upsert(
    @Principal() principal: ApiKeyPrincipal,
    @Param('code') code: string,
    @Body() body: RegieDto,
  ): Promise<RegieView> {
    if (!/^[A-Za-z0-9][A-Za-z0-9._\-]{0,31}$/.test(code)) {
      throw new ProblemException(400, 'validation_failed', 'Code de régie invalide.', {
        errors: [{ field: 'code', message: 'format invalide' }],
      });
    }
    return toView(await this.establishments.upsertRegie(principal.establishmentId, code, body));
  }
}
