import { Module } from '@nestjs/common';
import { RegiesController } from './regies.controller';
import { ListRegies } from './usecases/list-regies';
import { UpsertRegie } from './usecases/upsert-regie';

@Module({ controllers: [RegiesController], providers: [ListRegies, UpsertRegie] })
export class RegiesModule {}
