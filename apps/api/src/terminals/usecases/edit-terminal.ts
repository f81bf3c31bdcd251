import { Injectable } from '@nestjs/common';
import type { Clock } from '@diapason/domain';
import { DomainError } from '@diapason/domain';
import { InjectClock } from '@diapason/config';
import { ApiKeyPrincipal, EstablishmentRepository, TerminalEntity, TerminalRepository, TransactionContext } from '@diapason/persistence';
import { UpdateTerminalDto } from '../dto/update-terminal.dto';
import { terminalNotFound } from './find-terminal';
import { TerminalAddressRules, conflictOfUniqueViolation } from './terminal-address';

export function terminalBusy(id: string): DomainError {
  return new DomainError(
    'conflict',
    'terminal_busy',
    `Une transaction est en cours sur le terminal ${id} : attendez qu’elle se termine, puis recommencez.`,
  );
}

/** Changes what is declared of a terminal (label, model, régie, link); never while it transacts. */
@Injectable()
export class EditTerminal {
  constructor(
    private readonly tx: TransactionContext,
    private readonly terminals: TerminalRepository,
    private readonly establishments: EstablishmentRepository,
    private readonly addresses: TerminalAddressRules,
    @InjectClock() private readonly clock: Clock,
  ) {}

  async execute(principal: ApiKeyPrincipal, id: string, command: UpdateTerminalDto): Promise<TerminalEntity> {
    const bridgeHost = command.bridgeHost ?? null;
    const address = await this.addresses.vet(command.transportUrl, bridgeHost);
    try {
      return await this.tx.run(async () => {
        const terminal = await this.terminals.findByCode(principal.establishmentId, id, { lock: 'update' });
        if (!terminal) throw terminalNotFound(id);
        const now = this.clock.now();
        if (await this.terminals.isBusy(terminal.id, now)) throw terminalBusy(id);
        await this.addresses.assertFree(address, terminal.id);
        const regieId =
          command.regieCode === terminal.regieCode
            ? terminal.regieId
            : await this.establishments.ensureRegie(principal.establishmentId, command.regieCode);
        const moved = address.key !== terminal.transportKey;
        const patch: Partial<TerminalEntity> = {
          label: command.label,
          model: command.model,
          regieId,
          regieCode: command.regieCode,
          transportUrl: command.transportUrl,
          transportKey: address.key,
          bridgeHost,
          updatedAt: now,
          // What was seen of the old link says nothing of the new one.
          ...(moved ? { lastSeenAt: null, lastLatencyMs: null, lastError: null, lastErrorAt: null } : {}),
        };
        await this.terminals.update(terminal.id, patch);
        return { ...terminal, ...patch };
      });
    } catch (error) {
      throw conflictOfUniqueViolation(error, id);
    }
  }
}
