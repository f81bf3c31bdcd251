import { Injectable } from '@nestjs/common';
import type { Clock } from '@diapason/domain';
import { InjectClock } from '@diapason/config';
import { ApiKeyPrincipal, TerminalEntity, TerminalRepository, TransactionContext } from '@diapason/persistence';
import { terminalBusy } from './edit-terminal';
import { terminalNotFound } from './find-terminal';

/**
 * Takes a terminal out of service: no new imprint on it, not listed by default, its address and
 * its identifier free for another declaration; its past transactions stay. Never while it transacts.
 */
@Injectable()
export class RetireTerminal {
  constructor(
    private readonly tx: TransactionContext,
    private readonly terminals: TerminalRepository,
    @InjectClock() private readonly clock: Clock,
  ) {}

  execute(principal: ApiKeyPrincipal, id: string): Promise<TerminalEntity> {
    return this.tx.run(async () => {
      const terminal = await this.terminals.findByCode(principal.establishmentId, id, { lock: 'update' });
      if (!terminal) throw terminalNotFound(id);
      const now = this.clock.now();
      if (await this.terminals.isBusy(terminal.id, now)) throw terminalBusy(id);
      const patch = { retiredAt: now, updatedAt: now };
      await this.terminals.update(terminal.id, patch);
      return { ...terminal, ...patch };
    });
  }
}
