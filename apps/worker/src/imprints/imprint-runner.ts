import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown, Optional } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import type { Clock } from '@diapason/domain';
import type { DiapasonConfig } from '@diapason/config';
import { InjectClock, InjectConfig } from '@diapason/config';
import { DossierLifecycle } from '@diapason/lifecycle';
import { ClaimedAttempt, IMPRINT_CHANNEL, ImprintAttemptEntity, PgListener, TerminalRepository, TransactionContext } from '@diapason/persistence';
import { DiapasonMetrics } from '@diapason/metrics';
import { FailureReason, PROFILES, TerminalClients, Timing, TransactionResult, reasonForAnswer, reasonForError } from '@diapason/terminal-bridge';

export const IMPRINT_RUNNER_ENABLED = Symbol('IMPRINT_RUNNER_ENABLED');

/**
 * The longest a transaction sent by a bridge can stay open on the terminal: the connection, the
 * request (retransmissions included), the card and PIN (`answerTimeoutMs`), then the "last
 * transaction" recovery exchanges. Past it, the bridge that sent it has its answer or has given up,
 * and the terminal is done with it: its last transaction tells for sure whether it was ours.
 */
export function transactionBudgetMs(timing: Timing): number {
  const tries = timing.retries + 1;
  const send = tries * timing.controlTimeoutMs * 2;
  const recovery = tries * (Math.max(timing.controlTimeoutMs * 2, 1000) + 2000);
  return timing.connectTimeoutMs + send + timing.answerTimeoutMs + recovery;
}

/**
 * Runs the imprints asked through the API on the terminals this process can reach. Woken by a
 * PostgreSQL notification, with a poll as a safety net; each terminal is leased in the database,
 * so any number of bridges can run, one transaction per terminal at a time.
 *
 * The lease is short (DIAPASON_TERMINAL_LEASE, 30 s) and renewed by a heartbeat while the
 * transaction runs (a real one waits minutes for the card and the PIN): a bridge that dies frees
 * its terminal within the lease. Another bridge then takes the attempt over (`claimStale`, the
 * terminal marked busy) and never sends it again: it waits until the transaction cannot be open
 * on the terminal any more (`transactionBudgetMs` after it started), then asks the terminal for
 * its last transaction. At most one imprint per attempt.
 */
@Injectable()
export class ImprintRunner implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('ImprintRunner');
  private readonly runnerId = `${this.config.terminals.bridgeHost}:${process.pid}:${randomUUID().slice(0, 8)}`;
  private listener: PgListener | undefined;
  private poll: NodeJS.Timeout | undefined;
  private draining: Promise<void> | undefined;
  private again = false;
  private stopping = false;
  private readonly inFlight = new Set<Promise<void>>();
  /** Attempts this runner holds (id → terminal code), their leases renewed by `heartbeat`. */
  private readonly held = new Map<string, string>();
  private heartbeatTimer: NodeJS.Timeout | undefined;
  private readonly shutdown = new AbortController();
  private readonly outcomes: ReturnType<DiapasonMetrics['counter']> | undefined;

  constructor(
    private readonly dataSource: DataSource,
    private readonly tx: TransactionContext,
    private readonly terminals: TerminalRepository,
    private readonly lifecycle: DossierLifecycle,
    private readonly clients: TerminalClients,
    @InjectConfig() private readonly config: DiapasonConfig,
    @InjectClock() private readonly clock: Clock,
    @Inject(IMPRINT_RUNNER_ENABLED) readonly enabled: boolean,
    @Optional() metrics?: DiapasonMetrics,
  ) {
    this.outcomes = metrics?.counter('diapason_imprints_total', 'Empreintes terminées, par terminal (code) et issue (approved, refused, failed).', [
      'terminal',
      'outcome',
    ]);
  }

  /** For /ready and the metrics: `disabled` when this worker does not drive terminals. */
  get listenerState(): 'connected' | 'disconnected' | 'disabled' {
    if (!this.enabled) return 'disabled';
    return this.listener?.connected ? 'connected' : 'disconnected';
  }

  /** Renewed every third of it while the transaction runs. */
  private get leaseMs(): number {
    return this.config.terminals.leaseMs;
  }

  async onApplicationBootstrap(): Promise<void> {
    if (!this.enabled) return;
    this.listener = new PgListener(this.dataSource, IMPRINT_CHANNEL, () => this.wake(), 'diapason-imprint-listener');
    await this.listener.start();
    this.poll = setInterval(() => this.wake(), this.config.terminals.pollMs);
    this.heartbeatTimer = setInterval(() => void this.heartbeat(), Math.max(100, Math.floor(this.leaseMs / 3)));
    this.logger.log(`imprint runner ${this.runnerId} started`);
    this.wake();
  }

  /** Looks for work now; calls during a look are folded into one more look. */
  wake(): void {
    if (this.stopping) return;
    if (this.draining) {
      this.again = true;
      return;
    }
    this.draining = this.drain()
      .catch((error: unknown) => this.logger.error({ err: error }, 'imprint claim failed'))
      .finally(() => {
        this.draining = undefined;
        if (this.again) {
          this.again = false;
          this.wake();
        }
      });
  }

  private async drain(): Promise<void> {
    const now = this.clock.now();
    const host = this.config.terminals.bridgeHost;
    // Stale first: a terminal whose attempt is taken over is busy, and claimPending skips it.
    const stale = await this.terminals.claimStale(host, this.runnerId, now, this.leaseMs, 20);
    const fresh = await this.terminals.claimPending(host, this.runnerId, now, this.leaseMs, 100);
    const claims: (readonly [ClaimedAttempt, 'fresh' | 'stale'])[] = [
      ...stale.map((c) => [c, 'stale'] as const),
      ...fresh.map((c) => [c, 'fresh'] as const),
    ];
    for (const [claim, mode] of claims) {
      this.held.set(claim.attempt.id, claim.terminal.code);
      this.track(this.run(claim, mode));
    }
  }

  /** Renews the leases of the attempts this runner holds, and of their terminals, in one transaction. */
  private async heartbeat(): Promise<void> {
    const ids = [...this.held.keys()];
    if (ids.length === 0) return;
    try {
      const kept = new Set(await this.terminals.renewLeases(this.runnerId, ids, this.clock.now(), this.leaseMs));
      for (const id of ids) {
        if (kept.has(id) || !this.held.has(id)) continue;
        // Our lease lapsed (database unreachable longer than it?) and another bridge took over:
        // its outcome wins (finishAttempt refuses ours); it asks the terminal, never sends again.
        this.logger.warn({ attempt: id, terminal: this.held.get(id) }, 'imprint attempt taken over by another bridge');
        this.held.delete(id);
      }
    } catch (error) {
      this.logger.warn({ err: error }, 'imprint lease renewal failed; retried at the next beat');
    }
  }

  private track(work: Promise<void>): void {
    this.inFlight.add(work);
    void work.finally(() => {
      this.inFlight.delete(work);
      this.wake(); // the terminal is free again: its next attempt may wait
    });
  }

  /** Waits until every claimed attempt has ended (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.draining || this.inFlight.size > 0) {
      await this.draining;
      await Promise.all([...this.inFlight]);
    }
  }

  private async run(claim: ClaimedAttempt, mode: 'fresh' | 'stale'): Promise<void> {
    try {
      await this.runHeld(claim, mode);
    } finally {
      this.held.delete(claim.attempt.id);
    }
  }

  /** Resolves after `ms`, or at once when the process stops; true when the time went by. */
  private pause(ms: number): Promise<boolean> {
    if (ms <= 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      const done = (elapsed: boolean) => {
        clearTimeout(timer);
        this.shutdown.signal.removeEventListener('abort', stop);
        resolve(elapsed);
      };
      const stop = () => done(false);
      const timer = setTimeout(() => done(true), ms);
      if (this.shutdown.signal.aborted) done(false);
      else this.shutdown.signal.addEventListener('abort', stop);
    });
  }

  private async runHeld({ attempt, terminal }: ClaimedAttempt, mode: 'fresh' | 'stale'): Promise<void> {
    const client = this.clients.for(terminal);
    let result: TransactionResult | undefined;
    let failure: FailureReason | undefined;
    try {
      if (mode === 'fresh') {
        result = await client.imprint(attempt.ceilingCents, attempt.reference);
      } else {
        // The bridge that ran it died: only the terminal knows how it ended, once it has ended.
        // Until then its last transaction may be the one before (the card still in the reader):
        // the heartbeat holds the terminal meanwhile, and the attempt is never sent again.
        const startedAt = (attempt.startedAt ?? attempt.requestedAt).getTime();
        const budget = transactionBudgetMs(client.settings.timing);
        const wait = Math.min(startedAt + budget - this.clock.now().getTime(), budget);
        // Stopping: the lease lapses and another bridge takes the attempt over.
        if (!(await this.pause(wait))) return;
        const last = await client.lastTransaction();
        if (last.answer.reference === attempt.reference) result = { ...last, recovered: true };
        else
          failure = {
            code: 'interrupted',
            message: 'Transaction interrompue (pont redémarré) sans empreinte confirmée par le terminal : recommencez.',
          };
      }
      if (result && result.answer.status !== 'accepted') failure = reasonForAnswer(result.answer);
      await this.terminals.recordSeen(terminal.id, this.clock.now(), result?.latencyMs ?? 0);
    } catch (error) {
      failure = reasonForError(error);
      this.logger.warn({ terminal: terminal.code, code: failure.code, err: error }, 'imprint failed on the link');
      await this.terminals
        .recordError(terminal.id, this.clock.now(), `${failure.code}: ${error instanceof Error ? error.message : String(error)}`)
        .catch(() => undefined);
    } finally {
      await this.terminals.release(terminal.id, attempt.id).catch(() => undefined);
    }
    await this.record(attempt, terminal.code, terminal.model, result, failure).catch((error: unknown) =>
      this.logger.error({ err: error, attempt: attempt.id }, 'imprint outcome could not be recorded; lease will expire and it will be asked again'),
    );
  }

  private record(
    attempt: ImprintAttemptEntity,
    terminalCode: string,
    model: 'ICT250' | 'iWL280',
    result: TransactionResult | undefined,
    failure: FailureReason | undefined,
  ): Promise<void> {
    const now = this.clock.now();
    const answer = result?.answer;
    const approved = !failure && answer?.status === 'accepted';
    const itp = PROFILES[model].itp;
    return this.tx.run(async () => {
      const patch: Partial<ImprintAttemptEntity> = {
        status: approved ? 'approved' : answer?.status === 'refused' ? 'refused' : 'failed',
        endedAt: now,
        recovered: result?.recovered ?? false,
        failureCode: failure?.code ?? null,
        failureMessage: failure?.message ?? null,
        maskedPan: answer?.maskedPan ?? null,
        cardExpiry: answer?.cardExpiry ?? null,
        authorisationNumber: answer?.authorisationNumber ?? null,
        acquirerReference: answer?.acquirerReference ?? null,
        terminalModel: model,
        itpAcceptanceServer: itp.acceptanceServer.plbs,
        itpAcceptancePoint: itp.acceptancePoint.plbs,
      };
      if (!(await this.terminals.finishAttempt(attempt.id, this.runnerId, patch))) return;
      this.outcomes?.inc({ terminal: terminalCode, outcome: patch.status! });
      const command = {
        establishmentId: attempt.establishmentId,
        dossierId: attempt.dossierId,
        actor: { type: 'cashier' as const, id: `terminal:${terminalCode}` },
      };
      const imprint = {
        at: now,
        attemptId: attempt.id,
        terminalCode,
        terminalModel: model,
        ceilingCents: attempt.ceilingCents,
        recovered: result?.recovered ?? false,
      };
      if (approved) {
        await this.lifecycle.imprintApproved({
          ...command,
          facts: { ...imprint, maskedPan: answer.maskedPan, authorisationNumber: answer.authorisationNumber },
        });
      } else {
        await this.lifecycle.imprintFailed({
          ...command,
          facts: { ...imprint, reason: failure?.code ?? 'unknown', message: failure?.message ?? null },
        });
      }
    });
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopping = true;
    clearInterval(this.poll);
    this.shutdown.abort();
    await this.idle().catch(() => undefined);
    clearInterval(this.heartbeatTimer);
    await this.listener?.stop();
  }
}
