import { DynamicModule, Global, Module, Type } from '@nestjs/common';
import type { DiapasonConfig } from '@diapason/config';
import { DIAPASON_CONFIG } from '@diapason/config';
import { TerminalAccessPolicy } from './access-policy';
import { TERMINAL_REGISTRY, TerminalCheck, TerminalRegistry } from './terminal-check';
import { TerminalClients } from './terminal-clients';

/** The access policy of this process's configuration: where terminals may be reached. */
export function accessPolicyOf(config: DiapasonConfig): TerminalAccessPolicy {
  const { allowedNetworks, serialDevices, checkTimeoutMs } = config.terminals;
  return new TerminalAccessPolicy({ allowedNetworks, serialDevices, checkTimeoutMs });
}

@Global()
@Module({})
export class TerminalBridgeModule {
  /** `registry`: where terminals are leased and their health recorded (the app's terminal repository). */
  static forRoot(options: { registry: Type<TerminalRegistry> }): DynamicModule {
    return {
      module: TerminalBridgeModule,
      providers: [
        { provide: TerminalAccessPolicy, inject: [DIAPASON_CONFIG], useFactory: accessPolicyOf },
        TerminalClients,
        TerminalCheck,
        { provide: TERMINAL_REGISTRY, useExisting: options.registry },
      ],
      exports: [TerminalClients, TerminalCheck, TerminalAccessPolicy],
    };
  }
}
