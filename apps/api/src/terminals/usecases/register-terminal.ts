import { Injectable } from '@nestjs/common';
import type { Clock } from '@diapason/domain';
import { DomainError } from '@diapason/domain';
import { InjectClock } from '@diapason/config';
import { ApiKeyPrincipal, EstablishmentRepository, TerminalEntity, TerminalRepository, TransactionContext, newTerminal } from '@diapason/persistence';
import { ProtocolError, parseTransportUrl } from '@diapason/terminal-bridge';
import { v7 as uuidv7 } from 'uuid';
import { ProblemException } from '../../common/problem';
import { CreateTerminalDto } from '../dto/create-terminal.dto';

/** Declares a terminal of the establishment and the link that reaches it. */
@Injectable()
export class RegisterTerminal {
  constructor(
    private readonly tx: TransactionContext,
    private readonly terminals: TerminalRepository,
    private readonly establishments: EstablishmentRepository,
    @InjectClock() private readonly clock: Clock,
  ) {}

  execute(principal: ApiKeyPrincipal, command: CreateTerminalDto): Promise<TerminalEntity> {
    try {
      parseTransportUrl(command.transportUrl);
    } catch (error) {
      if (!(error instanceof ProtocolError)) throw error;
      throw new ProblemException(400, 'validation_failed', `Adresse du terminal invalide : ${error.message}`, {
        errors: [{ field: 'transportUrl', message: error.message }],
      });
    }
    return this.tx.run(async () => {
      if (await this.terminals.findByCode(principal.establishmentId, command.id)) {
        throw new DomainError('conflict', 'terminal_exists', `Le terminal ${command.id} existe déjà.`);
      }
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
          bridgeHost: command.bridgeHost ?? null,
        },
        this.clock.now(),
      );
      await this.terminals.create(terminal);
      return terminal;
    });
  }
}
