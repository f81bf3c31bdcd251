import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown, Optional } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import type { Clock } from '@diapason/domain';
import type { DiapasonConfig } from '@diapason/config';
import { InjectClock, InjectConfig } from '@diapason/config';
import { DossierLifecycle } from '@diapason/lifecycle';
import { ClaimedAttempt, IMPRINT_CHANNEL, ImprintAttemptEntity, PgListener, TerminalRepository, TransactionContext } from '@diapason/persistence';
import { DiapasonMetrics } from '@diapason/metrics';
import { FailureReason, PROFILES, TerminalClients, TransactionResult, reasonForAnswer, reasonForError } from '@diapason/terminal-bridge';

export const IMPRINT_RUNNER_ENABLED = Symbol('IMPRINT_RUNNER_ENABLED');

/**
 * Runs the imprints asked through the API on the terminals this process can reach. Woken by a
 * PostgreSQL notification, with a poll as a safety net; each terminal is leased in the database,
 * so any number of bridges can run, one transaction per terminal at a time.
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

  /** Leased for the longest a card transaction may take, plus the recovery exchange. */
  private get leaseMs(): number {
    return 10 * 60_000;
  }

  async onApplicationBootstrap(): Promise<void> {
    if (!this.enabled) return;
    this.listener = new PgListener(this.dataSource, IMPRINT_CHANNEL, () => this.wake(), 'diapason-imprint-listener');
    await this.listener.start();
    this.poll = setInterval(() => this.wake(), this.config.terminals.pollMs);
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
    const fresh = await this.terminals.claimPending(host, this.runnerId, now, this.leaseMs, 100);
    const stale = await this.terminals.claimStale(host, this.runnerId, now, this.leaseMs, 20);
    for (const claim of fresh) this.track(this.run(claim, 'fresh'));
    for (const claim of stale) this.track(this.run(claim, 'stale'));
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

  private async run({ attempt, terminal }: ClaimedAttempt, mode: 'fresh' | 'stale'): Promise<void> {
    const client = this.clients.for(terminal);
    let result: TransactionResult | undefined;
    let failure: FailureReason | undefined;
    try {
      if (mode === 'fresh') {
        result = await client.imprint(attempt.ceilingCents, attempt.reference);
      } else {
        // The bridge that ran it died: only the terminal knows how it ended.
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
    await this.idle().catch(() => undefined);
    await this.listener?.stop();
  }
}
