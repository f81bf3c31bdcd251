import { Inject, Injectable } from '@nestjs/common';
import {
  ACTIVE_STATUSES,
  DomainError,
  DossierEvent,
  InvalidTransitionError,
  acknowledgmentDueAt,
  canTransition,
  completionDueAt,
  eventTypeFor,
  formatEuros,
  imprintValidUntil,
  isPaymentRequestLate,
  transitionFor,
} from '@diapason/domain';
import type { DiapasonConfig } from '@diapason/config';
import { InjectConfig } from '@diapason/config';
import {
  Actor,
  DossierEntity,
  DossierPatch,
  DossierRepository,
  DossierWriteRepository,
  NoticeChannel,
  NoticeRepository,
  OutboxRepository,
  TransactionContext,
  TransitionSpec,
} from '@diapason/persistence';
import {
  CancelFacts,
  EvidenceFacts,
  ImprintApprovedFacts,
  ImprintFailedFacts,
  ImprintFacts,
  LifecycleCommand,
  NOTICE_PLANNER,
  NOTICE_SEND,
  NoticeFailedFacts,
  NoticeSentFacts,
  OpenDossierCommand,
  PaymentRequestFacts,
} from './commands';
import type { NoticePlanner } from './commands';

/** The row of the transition table for `event`, in the shape the write repository takes. */
export function specFor(event: DossierEvent): TransitionSpec {
  const t = transitionFor(event);
  return { event, from: t.from, to: t.to, type: eventTypeFor(event) };
}

export function dossierNotFound(id: string): DomainError {
  return new DomainError('not_found', 'dossier_not_found', `Aucun dossier ${id} pour cet établissement.`);
}

const NO_CHANNEL = 'Aucun canal de notification : ni mobile ni adresse e-mail utilisable.';

/**
 * The only code that changes a dossier: one method per domain event. Each runs in one transaction
 * (joining the caller's when there is one): it locks the dossier, checks the transition table,
 * writes the status and the facts of the step, appends the journal event and enqueues the side
 * effects in the outbox. GAP webhooks follow every journal event (database trigger).
 * The set-based variants used by the worker's sweeps are in `dossier-sweeps.ts`.
 */
@Injectable()
export class DossierLifecycle {
  constructor(
    private readonly tx: TransactionContext,
    private readonly dossiers: DossierRepository,
    private readonly writes: DossierWriteRepository,
    private readonly notices: NoticeRepository,
    private readonly outbox: OutboxRepository,
    @Inject(NOTICE_PLANNER) private readonly planner: NoticePlanner,
    @InjectConfig() private readonly config: DiapasonConfig,
  ) {}

  private async locked(command: Pick<LifecycleCommand<unknown>, 'establishmentId' | 'dossierId'>): Promise<DossierEntity> {
    const dossier = await this.dossiers.findByIdForUpdate(command.establishmentId, command.dossierId);
    if (!dossier) throw dossierNotFound(command.dossierId);
    return dossier;
  }

  private move(
    dossier: DossierEntity,
    event: DossierEvent,
    at: Date,
    actor: Actor,
    patch?: DossierPatch,
    details?: Record<string, unknown>,
  ): Promise<DossierEntity> {
    return this.writes.applyTransition(dossier, specFor(event), { at, actor, patch, details });
  }

  private fact(dossier: DossierEntity, type: string, at: Date, actor: Actor, details: Record<string, unknown>): Promise<void> {
    return this.writes.append(dossier, { type, fromStatus: null, toStatus: null, actor, at, details });
  }

  /**
   * `dossier.created`: the stay is known, the imprint can be taken. One live dossier per GAP number.
   * The insert and its journal event are one statement, atomic by itself: no transaction is opened
   * for it (one round trip), and it joins the caller's when there is one (idempotent requests).
   */
  async open(command: OpenDossierCommand): Promise<DossierEntity> {
    const { dossier, actor } = command;
    const created = await this.writes.insert(dossier, 'awaiting_imprint', ACTIVE_STATUSES, actor);
    if (created) return created;
    const existing = await this.dossiers.findActiveByGapNumber(dossier.establishmentId, dossier.gapDossierNumber);
    throw new DomainError(
      'conflict',
      'duplicate_active_dossier',
      `Un dossier DIAPASON est déjà en cours pour le dossier GAP ${dossier.gapDossierNumber}.`,
      {
        existingDossierId: existing?.id ?? null,
      },
    );
  }

  /** `imprint.requested`: an imprint is queued for a terminal. Only while the dossier awaits one. */
  imprintRequested(command: LifecycleCommand<{ at: Date; attemptId: string; terminalCode: string; ceilingCents: number }>): Promise<DossierEntity> {
    return this.tx.run(async () => {
      const dossier = await this.locked(command);
      const { at, attemptId, terminalCode, ceilingCents } = command.facts;
      await this.fact(dossier, 'imprint.requested', at, command.actor, { attemptId, terminalId: terminalCode, ceilingCents });
      return dossier;
    });
  }

  /** Throws the conflict the GAP or the cashier reads when the table does not allow `event` now. */
  assertCan(dossier: DossierEntity, event: DossierEvent): void {
    if (!canTransition(dossier.status, event)) throw new InvalidTransitionError(dossier.status, event);
  }

  /**
   * The terminal approved the pre-authorisation: `imprinted`, the validity clock starts. A dossier
   * closed meanwhile keeps its status (the pre-authorisation lapses by itself, nothing is debited).
   */
  imprintApproved(command: LifecycleCommand<ImprintApprovedFacts>): Promise<DossierEntity> {
    return this.tx.run(async () => {
      const dossier = await this.locked(command);
      const f = command.facts;
      const details = imprintDetails(f);
      if (!canTransition(dossier.status, 'imprint_approved')) {
        await this.fact(dossier, 'imprint.approved_after_close', f.at, command.actor, details);
        return dossier;
      }
      return this.move(
        dossier,
        'imprint_approved',
        f.at,
        command.actor,
        {
          ceilingCents: f.ceilingCents,
          imprintedAt: f.at,
          imprintValidUntil: imprintValidUntil(f.at, this.config.delays),
          imprintAttemptId: f.attemptId,
        },
        { ...details, maskedPan: f.maskedPan, authorisationNumber: f.authorisationNumber },
      );
    });
  }

  /** `imprint.failed`: refused, removed card, no answer… the cashier may try again. */
  imprintFailed(command: LifecycleCommand<ImprintFailedFacts>): Promise<DossierEntity> {
    return this.tx.run(async () => {
      const dossier = await this.locked(command);
      const f = command.facts;
      await this.fact(dossier, 'imprint.failed', f.at, command.actor, { ...imprintDetails(f), reason: f.reason, message: f.message });
      return dossier;
    });
  }

  /**
   * The GAP gives the amount owed: `payment_requested`, and the notices are queued in the same
   * transaction (they leave after commit). No usable channel at all: `notification_failed` at once.
   */
  paymentRequested(command: LifecycleCommand<PaymentRequestFacts & { at: Date }>): Promise<{ dossier: DossierEntity; late: boolean }> {
    return this.tx.run(async () => {
      const dossier = await this.locked(command);
      const { at, amountCents, invoiceReference } = command.facts;
      this.assertCan(dossier, 'payment_requested');
      const ceiling = dossier.ceilingCents!;
      if (amountCents > ceiling) {
        throw new DomainError(
          'invalid',
          'amount_exceeds_ceiling',
          `Le montant demandé (${formatEuros(amountCents)}) dépasse le plafond de l’empreinte (${formatEuros(ceiling)}) : facturez ce dossier par la voie habituelle.`,
          { ceilingCents: ceiling, amountCents },
        );
      }
      const late = isPaymentRequestLate(at, dossier.imprintValidUntil!, this.config.delays);
      let updated = await this.move(
        dossier,
        'payment_requested',
        at,
        command.actor,
        { amountCents, invoiceReference, paymentRequestedAt: at, paymentRequestLate: late },
        { amountCents, invoiceReference, late },
      );
      const channels = this.planner.channelsOf(updated);
      if (channels.length === 0) {
        updated = await this.notificationFailed({
          ...command,
          actor: { type: 'system' },
          facts: { at, reasons: [{ channel: null, reason: NO_CHANNEL }] },
        });
      } else {
        for (const channel of this.planner.firstWave(channels)) await this.enqueueNotice(updated, channel, at);
      }
      return { dossier: updated, late };
    });
  }

  private enqueueNotice(dossier: Pick<DossierEntity, 'id' | 'establishmentId'>, channel: NoticeChannel, at: Date): Promise<void> {
    return this.outbox.enqueue({
      kind: NOTICE_SEND,
      establishmentId: dossier.establishmentId,
      dossierId: dossier.id,
      payload: { dossierId: dossier.id, channel },
      at,
    });
  }

  /** `notice.sent`: the first notice out starts the abandon clock (Y). */
  noticeSent(command: LifecycleCommand<NoticeSentFacts & { at: Date }>): Promise<void> {
    return this.tx.run(async () => {
      const dossier = await this.locked(command);
      const { at, noticeId, channel, recipient, providerId, segments } = command.facts;
      await this.writes.startNoticeClock(dossier.id, at, acknowledgmentDueAt(at, this.config.delays));
      await this.fact(dossier, 'notice.sent', at, command.actor, { noticeId, channel, recipient, providerId, segments });
    });
  }

  /**
   * `noticeSent` for a batch of notices that went out at `at`, in one transaction of a few
   * statements (the worker records its batch at once). Same journal entries and clock.
   */
  noticesSent(commands: LifecycleCommand<NoticeSentFacts>[], at: Date): Promise<void> {
    if (commands.length === 0) return Promise.resolve();
    return this.tx.run(() =>
      this.writes.recordNoticesSent(
        commands.map((c) => {
          const { noticeId, channel, recipient, providerId, segments } = c.facts;
          return {
            dossierId: c.dossierId,
            establishmentId: c.establishmentId,
            type: 'notice.sent',
            actor: c.actor,
            details: { noticeId, channel, recipient, providerId, segments },
          };
        }),
        at,
        acknowledgmentDueAt(at, this.config.delays),
      ),
    );
  }

  /**
   * `notice.failed`: a channel failed for good. The patient's next channel is tried; when every
   * channel has failed, `notification_failed`. The notice row itself is the notifier's to update.
   */
  noticeFailed(command: LifecycleCommand<NoticeFailedFacts & { at: Date }>): Promise<DossierEntity> {
    return this.tx.run(async () => {
      let dossier = await this.locked(command);
      const { at, noticeId, channel, recipient, reason } = command.facts;
      await this.fact(dossier, 'notice.failed', at, command.actor, { noticeId, channel, recipient, reason });
      if (!canTransition(dossier.status, 'notification_failed')) return dossier;
      const tried = new Map((await this.notices.ofDossiers([dossier.id])).map((n) => [n.channel, n]));
      const next = this.planner.channelsOf(dossier).find((c) => !tried.has(c));
      if (next) {
        await this.enqueueNotice(dossier, next, at);
        return dossier;
      }
      if ([...tried.values()].every((n) => n.status === 'failed')) {
        const reasons = [...tried.values()].map((n) => ({ channel: n.channel, reason: n.failureReason }));
        dossier = await this.notificationFailed({ ...command, facts: { at, reasons } });
      }
      return dossier;
    });
  }

  /**
   * Evidence that the patient received the notice. The first evidence that counts acknowledges
   * it and schedules the debit X later; any other is kept in the journal (`notice.evidence`,
   * `counted: false`) with why it did not count: `reason` (code) and `why` (French).
   */
  evidenceReceived(command: LifecycleCommand<EvidenceFacts>): Promise<DossierEntity> {
    return this.tx.run(async () => {
      const dossier = await this.locked(command);
      const f = command.facts;
      const evidence = {
        noticeId: f.noticeId,
        channel: f.channel,
        kind: f.kind,
        at: f.at.toISOString(),
        userAgent: f.userAgent?.slice(0, 300) ?? null,
      };
      if (f.counts && canTransition(dossier.status, 'acknowledged')) {
        return this.move(
          dossier,
          'acknowledged',
          f.at,
          command.actor,
          { acknowledgedAt: f.at, completionDueAt: completionDueAt(f.at, this.config.delays) },
          { evidence },
        );
      }
      await this.fact(dossier, 'notice.evidence', f.at, command.actor, {
        ...evidence,
        counted: false,
        reason: f.counts ? 'status' : (f.notCountedReason ?? 'rule'),
        why: f.counts ? `statut ${dossier.status}` : (f.notCountedWhy ?? null),
      });
      return dossier;
    });
  }

  /** `notification_failed`: no channel reaches the patient; the GAP falls back to ordinary collection. */
  notificationFailed(
    command: LifecycleCommand<{ at: Date; reasons: { channel: NoticeChannel | null; reason: string | null }[] }>,
  ): Promise<DossierEntity> {
    return this.tx.run(async () => {
      const dossier = await this.locked(command);
      return this.move(dossier, 'notification_failed', command.facts.at, command.actor, undefined, { reasons: command.facts.reasons });
    });
  }

  /** `cancelled` by a decision of the GAP, a cashier or the patient, until the debit is sent. */
  cancel(command: LifecycleCommand<CancelFacts & { at: Date }>): Promise<DossierEntity> {
    return this.tx.run(async () => {
      const dossier = await this.locked(command);
      const { at, reason } = command.facts;
      return this.move(dossier, 'cancelled', at, command.actor, { cancelledAt: at, cancelReason: reason }, { reason });
    });
  }

  // One-dossier forms of the worker's batch transitions (dossier-sweeps.ts), for fixtures and tools.

  completionStarted(command: LifecycleCommand<{ at: Date; leaseUntil: Date }>): Promise<DossierEntity> {
    return this.tx.run(async () => {
      const dossier = await this.locked(command);
      const key = dossier.completionKey ?? completionKeyFor(dossier.id);
      return this.move(
        dossier,
        'completion_started',
        command.facts.at,
        command.actor,
        {
          completionKey: key,
          completionStartedAt: command.facts.at,
          completionLeaseUntil: command.facts.leaseUntil,
          completionAttempts: dossier.completionAttempts + 1,
        },
        { idempotencyKey: key },
      );
    });
  }

  ackTimedOut(command: LifecycleCommand<{ at: Date }>): Promise<DossierEntity> {
    return this.tx.run(async () => this.move(await this.locked(command), 'ack_timed_out', command.facts.at, command.actor));
  }

  deadlineExceeded(command: LifecycleCommand<{ at: Date }>): Promise<DossierEntity> {
    return this.tx.run(async () => this.move(await this.locked(command), 'deadline_exceeded', command.facts.at, command.actor));
  }
}

/** Prefix of the key the acceptance server knows a dossier's debit by: the same for every retry of it. */
export const COMPLETION_KEY_PREFIX = 'diapason-completion-';

export function completionKeyFor(dossierId: string): string {
  return `${COMPLETION_KEY_PREFIX}${dossierId}`;
}

function imprintDetails(f: ImprintFacts): Record<string, unknown> {
  return {
    attemptId: f.attemptId,
    terminalId: f.terminalCode,
    terminalModel: f.terminalModel,
    ceilingCents: f.ceilingCents,
    recovered: f.recovered ?? false,
  };
}
