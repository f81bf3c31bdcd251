import { DynamicModule, Global, Module, Type } from '@nestjs/common';
import { TERMINAL_REGISTRY, TerminalCheck, TerminalRegistry } from './terminal-check';
import { TerminalClients } from './terminal-clients';

@Global()
@Module({})
export class TerminalBridgeModule {
  /** `registry`: where terminals are leased and their health recorded (the app's terminal repository). */
  static forRoot(options: { registry: Type<TerminalRegistry> }): DynamicModule {
    return {
      module: TerminalBridgeModule,
      providers: [TerminalClients, TerminalCheck, { provide: TERMINAL_REGISTRY, useExisting: options.registry }],
      exports: [TerminalClients, TerminalCheck],
    };
  }
}
