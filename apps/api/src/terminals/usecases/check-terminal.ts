import { Injectable } from '@nestjs/common';
import { DomainError } from '@diapason/domain';
import type { DiapasonConfig } from '@diapason/config';
import { InjectConfig } from '@diapason/config';
import type { ApiKeyPrincipal } from '@diapason/persistence';
import { CheckReport, TerminalCheck } from '@diapason/terminal-bridge';
import { FindTerminal } from './find-terminal';

/** The deployment check of one terminal, run from the machine its link is attached to. */
@Injectable()
export class CheckTerminal {
  constructor(
    private readonly findTerminal: FindTerminal,
    private readonly check: TerminalCheck,
    @InjectConfig() private readonly config: DiapasonConfig,
  ) {}

  async execute(principal: ApiKeyPrincipal, id: string): Promise<CheckReport> {
    const terminal = await this.findTerminal.execute(principal, id);
    if (terminal.bridgeHost && terminal.bridgeHost !== this.config.terminals.bridgeHost) {
      throw new DomainError(
        'conflict',
        'terminal_on_other_host',
        `Ce terminal est relié au poste ${terminal.bridgeHost} : lancez la vérification sur ce poste (npm run cli -- terminal:check ${terminal.code}).`,
      );
    }
    return this.check.run(terminal);
  }
}
