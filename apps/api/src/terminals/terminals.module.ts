import { Module } from '@nestjs/common';
import { TerminalsController } from './terminals.controller';
import { CheckTerminal } from './usecases/check-terminal';
import { FindTerminal } from './usecases/find-terminal';
import { ListTerminals } from './usecases/list-terminals';
import { RegisterTerminal } from './usecases/register-terminal';

@Module({
  controllers: [TerminalsController],
  providers: [RegisterTerminal, FindTerminal, ListTerminals, CheckTerminal],
})
export class TerminalsModule {}
