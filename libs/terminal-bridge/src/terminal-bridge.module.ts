import { DynamicModule, Global, Module } from '@nestjs/common';
import { IMPRINT_RUNNER_ENABLED, ImprintRunner } from './imprint-runner';
import { TerminalCheck } from './terminal-check';
import { TerminalClients } from './terminal-clients';

@Global()
@Module({})
export class TerminalBridgeModule {
  /** `runner`: whether this process runs the imprints asked through the API. */
  static forRoot(options: { runner: boolean }): DynamicModule {
    return {
      module: TerminalBridgeModule,
      providers: [
        TerminalClients,
        TerminalCheck,
        ImprintRunner,
        { provide: IMPRINT_RUNNER_ENABLED, useValue: options.runner },
      ],
      exports: [TerminalClients, TerminalCheck, ImprintRunner],
    };
  }
}
