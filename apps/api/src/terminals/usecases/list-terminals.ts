import { Injectable } from '@nestjs/common';
import { ApiKeyPrincipal, TerminalEntity, TerminalRepository } from '@diapason/persistence';

@Injectable()
export class ListTerminals {
  constructor(private readonly terminals: TerminalRepository) {}

  execute(principal: ApiKeyPrincipal, options: { includeRetired?: boolean } = {}): Promise<TerminalEntity[]> {
    return this.terminals.list(principal.establishmentId, options);
  }
}
