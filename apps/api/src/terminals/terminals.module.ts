import { Module } from '@nestjs/common';
import { TerminalsController } from './terminals.controller';
import { CheckTerminal } from './usecases/check-terminal';
import { EditTerminal } from './usecases/edit-terminal';
import { FindTerminal } from './usecases/find-terminal';
import { ListTerminals } from './usecases/list-terminals';
import { RegisterTerminal } from './usecases/register-terminal';
import { RetireTerminal } from './usecases/retire-terminal';
import { TerminalAddressRules } from './usecases/terminal-address';

@Module({
  controllers: [TerminalsController],
  providers: [TerminalAddressRules, RegisterTerminal, EditTerminal, RetireTerminal, FindTerminal, ListTerminals, CheckTerminal],
})
export class TerminalsModule {}
