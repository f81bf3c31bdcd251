import { randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type { Clock } from '@diapason/domain';
import { DomainError } from '@diapason/domain';
import { InjectClock } from '@diapason/config';
import { DossierLifecycle } from '@diapason/lifecycle';
import {
  AccountingRepository,
  ApiKeyPrincipal,
  ImprintAttemptEntity,
  PLBS_MODALITY,
  TerminalEntity,
  TerminalRepository,
  TransactionContext,
} from '@diapason/persistence';
import { v7 as uuidv7 } from 'uuid';
import { RequestImprintDto } from '../dto/request-imprint.dto';
import { FindDossier } from './find-dossier';

/** 10 characters the terminal echoes back (V2 private field, V3 CH): how its answer finds its attempt. */
export function newImprintReference(): string {
  return randomBytes(8).toString('base64url').replace(/[-_]/g, 'X').slice(0, 10).toUpperCase();
}

/** Queues a PLBS pre-authorisation on a terminal; the bridge runs it at once. */
@Injectable()
export class RequestImprint {
  constructor(
    private readonly tx: TransactionContext,
    private readonly findDossier: FindDossier,
    private readonly lifecycle: DossierLifecycle,
    private readonly terminals: TerminalRepository,
    private readonly accounting: AccountingRepository,
    @InjectClock() private readonly clock: Clock,
  ) {}

  execute(principal: ApiKeyPrincipal, id: string, command: RequestImprintDto): Promise<{ attempt: ImprintAttemptEntity; terminal: TerminalEntity }> {
    return this.tx.run(async () => {
      const dossier = await this.findDossier.execute(principal, id, { lock: true });
      this.lifecycle.assertCan(dossier, 'imprint_approved');
      // Shared lock: an edit or a retirement of the terminal waits for this attempt to be queued, then sees it.
      const terminal = await this.terminals.findByCode(principal.establishmentId, command.terminalId, { lock: 'share' });
      if (!terminal) {
        throw new DomainError('invalid', 'unknown_terminal', `Aucun terminal ${command.terminalId} en service pour cet établissement.`, {
          errors: [{ field: 'terminalId', message: 'terminal inconnu' }],
        });
      }
      const live = await this.terminals.liveAttemptOf(dossier.id);
      if (live) {
        throw new DomainError('conflict', 'imprint_in_progress', 'Une empreinte est déjà en cours pour ce dossier : attendez son issue.', {
          attemptId: live.id,
        });
      }
      const now = this.clock.now();
      // The terminal's PLBS modality runs under the establishment's contract of that modality.
      const contract = await this.accounting.findContractByModality(principal.establishmentId, PLBS_MODALITY);
      const attempt: ImprintAttemptEntity = {
        id: uuidv7(),
        dossierId: dossier.id,
        establishmentId: principal.establishmentId,
        terminalId: terminal.id,
        ceilingCents: command.ceilingCents,
        status: 'pending',
        reference: newImprintReference(),
        failureCode: null,
        failureMessage: null,
        recovered: false,
        maskedPan: null,
        cardExpiry: null,
        authorisationNumber: null,
        acquirerReference: null,
        terminalModel: terminal.model,
        itpAcceptanceServer: null,
        itpAcceptancePoint: null,
        requestedAt: now,
        startedAt: null,
        endedAt: null,
        leaseUntil: null,
        runner: null,
        merchantContractId: contract?.id ?? null,
      };
      await this.terminals.createAttempt(attempt);
      await this.lifecycle.imprintRequested({
        establishmentId: dossier.establishmentId,
        dossierId: dossier.id,
        actor: { type: 'gap', id: principal.apiKeyId },
        facts: { at: now, attemptId: attempt.id, terminalCode: terminal.code, ceilingCents: command.ceilingCents },
      });
      return { attempt, terminal };
    });
  }
}
