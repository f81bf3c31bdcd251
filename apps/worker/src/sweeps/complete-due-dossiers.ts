import { Inject, Injectable, Logger } from '@nestjs/common';
import pMap from 'p-map';
import type { Clock } from '@diapason/domain';
import type { DiapasonConfig } from '@diapason/config';
import { InjectClock, InjectConfig } from '@diapason/config';
import { AcquirerClient, AcquirerUnavailableError, CompletionRequest, CompletionResult, bankReasonMessage } from '@diapason/acquirer';
import { DossierSweeps } from '@diapason/lifecycle';
import type { ClaimedCompletion, CompletionOutcome } from '@diapason/persistence';
import { Sweep, WORKER_ID, drainBatches } from '../sweep';

/** The PLBS completion of a claimed dossier: its amount and the references of its imprint. */
export function completionRequest(claim: ClaimedCompletion): CompletionRequest {
  return {
    idempotencyKey: claim.completionKey,
    amountCents: claim.amountCents,
    merchantReference: claim.dossierId,
    imprint: {
      authorisationNumber: claim.authorisationNumber,
      acquirerReference: claim.acquirerReference,
      maskedPan: claim.maskedPan,
      itpAcceptanceServer: claim.itpAcceptanceServer,
      itpAcceptancePoint: claim.itpAcceptancePoint,
    },
  };
}

/** What gets recorded of the acceptance server's answer. */
export function completionOutcome(claim: ClaimedCompletion, result: CompletionResult): CompletionOutcome {
  const { dossierId, completionKey } = claim;
  return result.status === 'approved'
    ? { dossierId, completionKey, status: 'approved', transactionReference: result.transactionReference, settlementDate: result.settlementDate }
    : { dossierId, completionKey, status: 'refused', reasonCode: result.reasonCode, reasonMessage: bankReasonMessage(result.reasonCode) };
}

/** Send again at most this many times within one pass; the janitor takes over after. */
const RETRIES_IN_PASS = 2;

/**
 * Sends the debits that are due, each at most once: a completion carries the dossier's idempotency
 * key, and after any doubt (timeout, 5xx, lost answer) the acceptance server is asked what it did
 * with that key before anything is sent again.
 */
@Injectable()
export class CompletionSettler {
  private readonly logger = new Logger('Completion');

  constructor(
    private readonly sweeps: DossierSweeps,
    private readonly acquirer: AcquirerClient,
    @InjectConfig() private readonly config: DiapasonConfig,
    @InjectClock() private readonly clock: Clock,
    @Inject(WORKER_ID) private readonly worker: string,
  ) {}

  /**
   * Settles a claimed batch: every debit is sent or asked about, then all known outcomes are
   * recorded in one statement. A crash before that statement loses nothing: the janitor asks the
   * acceptance server, which answers from the same key.
   */
  async settleAll(claims: ClaimedCompletion[], knownSent: boolean): Promise<number> {
    const outcomes = await pMap(claims, (claim) => this.resolve(claim, knownSent), { concurrency: this.config.scheduler.completionConcurrency });
    const known = outcomes.filter((o): o is CompletionOutcome => o !== undefined);
    await this.sweeps.recordCompletionOutcomes(known, this.clock.now(), this.worker);
    return known.length;
  }

  private async resolve(claim: ClaimedCompletion, knownSent: boolean): Promise<CompletionOutcome | undefined> {
    let result: CompletionResult | null = null;
    let askFirst = knownSent;
    for (let attempt = 0; attempt <= RETRIES_IN_PASS && !result; attempt += 1) {
      try {
        if (askFirst) result = await this.acquirer.find(claim.completionKey);
        if (!result) {
          askFirst = true;
          result = await this.acquirer.complete(completionRequest(claim));
        }
      } catch (error) {
        if (!(error instanceof AcquirerUnavailableError)) throw error;
        askFirst = true;
        this.logger.warn({ dossier: claim.dossierId, kind: error.kind }, 'completion outcome unknown; asking before any new send');
      }
    }
    if (!result) {
      const backoff = Math.min(this.config.scheduler.completionLeaseMs, 5_000 * 2 ** Math.min(claim.attempts, 8));
      await this.sweeps.deferCompletion(claim.dossierId, new Date(this.clock.now().getTime() + backoff));
      return undefined;
    }
    return completionOutcome(claim, result);
  }
}

@Injectable()
export class CompleteDueDossiers implements Sweep {
  readonly name = 'complete-due-dossiers';

  constructor(
    private readonly sweeps: DossierSweeps,
    private readonly settler: CompletionSettler,
    @InjectConfig() private readonly config: DiapasonConfig,
    @Inject(WORKER_ID) private readonly worker: string,
  ) {}

  run(now: Date): Promise<number> {
    const { batchSize, completionLeaseMs } = this.config.scheduler;
    return drainBatches(
      () => this.sweeps.startDueCompletions(now, batchSize, completionLeaseMs, this.worker),
      (claims) => this.settler.settleAll(claims, false),
      batchSize,
    );
  }
}

/** The janitor: debits left in `completing` past their lease are asked about, then settled. */
@Injectable()
export class RecoverStalledCompletions implements Sweep {
  readonly name = 'recover-stalled-completions';

  constructor(
    private readonly sweeps: DossierSweeps,
    private readonly settler: CompletionSettler,
    @InjectConfig() private readonly config: DiapasonConfig,
  ) {}

  async run(now: Date): Promise<number> {
    const { batchSize, completionLeaseMs } = this.config.scheduler;
    const claims = await this.sweeps.reclaimStalledCompletions(now, batchSize, completionLeaseMs);
    await this.settler.settleAll(claims, true);
    return claims.length;
  }
}
