import { Injectable } from '@nestjs/common';
import type { Clock } from '@diapason/domain';
import { InjectClock } from '@diapason/config';
import { ApiKeyPrincipal, EstablishmentRepository, TerminalEntity, TerminalRepository, TransactionContext, newTerminal } from '@diapason/persistence';
import { v7 as uuidv7 } from 'uuid';
import { CreateTerminalDto } from '../dto/create-terminal.dto';
import { TerminalAddressRules, conflictOfUniqueViolation, terminalExists } from './terminal-address';

/** Declares a terminal of the establishment and the link that reaches it. */
@Injectable()
export class RegisterTerminal {
  constructor(
    private readonly tx: TransactionContext,
    private readonly terminals: TerminalRepository,
    private readonly establishments: EstablishmentRepository,
    private readonly addresses: TerminalAddressRules,
    @InjectClock() private readonly clock: Clock,
  ) {}

  async execute(principal: ApiKeyPrincipal, command: CreateTerminalDto): Promise<TerminalEntity> {
    const bridgeHost = command.bridgeHost ?? null;
    const address = await this.addresses.vet(command.transportUrl, bridgeHost);
    try {
      return await this.tx.run(async () => {
        if (await this.terminals.findByCode(principal.establishmentId, command.id)) throw terminalExists(command.id);
        await this.addresses.assertFree(address);
        const regieId = await this.establishments.ensureRegie(principal.establishmentId, command.regieCode);
        const terminal = newTerminal(
          {
            id: uuidv7(),
            establishmentId: principal.establishmentId,
            code: command.id,
            label: command.label,
            model: command.model,
            regieId,
            regieCode: command.regieCode,
            transportUrl: command.transportUrl,
            transportKey: address.key,
            bridgeHost,
          },
          this.clock.now(),
        );
        await this.terminals.create(terminal);
        return terminal;
      });
    } catch (error) {
      throw conflictOfUniqueViolation(error, command.id);
    }
  }
}
