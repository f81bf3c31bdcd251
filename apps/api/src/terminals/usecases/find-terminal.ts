import { Injectable } from '@nestjs/common';
import { DomainError } from '@diapason/domain';
import { ApiKeyPrincipal, TerminalEntity, TerminalRepository } from '@diapason/persistence';

export function terminalNotFound(id: string): DomainError {
  return new DomainError('not_found', 'terminal_not_found', `Aucun terminal ${id} en service pour cet établissement.`);
}

/** A terminal in service of the caller's establishment, by the identifier the establishment gave it. */
@Injectable()
export class FindTerminal {
  constructor(private readonly terminals: TerminalRepository) {}

  async execute(principal: ApiKeyPrincipal, id: string): Promise<TerminalEntity> {
    const terminal = await this.terminals.findByCode(principal.establishmentId, id);
    if (!terminal) throw terminalNotFound(id);
    return terminal;
  }
}
