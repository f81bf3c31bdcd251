import type { ConcertAnswer, ConcertRequest } from './concert/messages';
import { ProtocolError } from './concert/errors';
import { LinkError, TargetGuard, TerminalLink } from './links/link';
import { SerialV2Link } from './links/serial-v2-link';
import { TcpV2Link } from './links/tcp-v2-link';
import { TcpV3Link } from './links/tcp-v3-link';
import { TerminalModel, TerminalProfile, profileFor } from './profiles';
import { TerminalLinkSettings, parseTransportUrl } from './transport-url';

export interface TransactionResult {
  answer: ConcertAnswer;
  /** The answer was recovered from the terminal's last transaction after a link failure. */
  recovered: boolean;
  latencyMs: number;
}

/** `guard`: where the link may connect, checked at every connection (the bridge always gives one). */
export function openLink(settings: TerminalLinkSettings, profile: TerminalProfile, guard?: TargetGuard): TerminalLink {
  const t = settings.transport;
  if (t.kind === 'serial') return new SerialV2Link(t, profile, settings.timing, guard);
  return t.protocol === 'v3' ? new TcpV3Link(t, profile, settings.timing, guard) : new TcpV2Link(t, profile, settings.timing, guard);
}

/**
 * A terminal as the register sees it: one transaction at a time (the others wait their turn), and
 * an answer lost on the line is asked for again ("last transaction") before a failure is reported.
 */
export class TerminalClient {
  readonly settings: TerminalLinkSettings;
  readonly profile: TerminalProfile;
  private readonly link: TerminalLink;
  private queue: Promise<unknown> = Promise.resolve();

  /**
   * Without `guard` the client connects wherever its address says: for tests and tools that talk
   * to a simulator directly. The bridge's clients (`TerminalClients`) always carry the access policy.
   */
  constructor(
    readonly model: TerminalModel,
    readonly transportUrl: string,
    guard?: TargetGuard,
  ) {
    this.settings = parseTransportUrl(transportUrl);
    this.profile = profileFor(model, this.settings);
    this.link = openLink(this.settings, this.profile, guard);
  }

  private serial<T>(work: () => Promise<T>): Promise<T> {
    const run = this.queue.then(work, work);
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** PLBS pre-authorisation for the ceiling: nothing is debited. */
  imprint(ceilingCents: number, reference: string): Promise<TransactionResult> {
    return this.transact({ operation: 'imprint', amountCents: ceilingCents, reference });
  }

  debit(amountCents: number, reference: string): Promise<TransactionResult> {
    return this.transact({ operation: 'debit', amountCents, reference });
  }

  refund(amountCents: number, reference: string): Promise<TransactionResult> {
    return this.transact({ operation: 'refund', amountCents, reference });
  }

  cancel(amountCents: number, reference: string): Promise<TransactionResult> {
    return this.transact({ operation: 'cancel', amountCents, reference });
  }

  /**
   * The terminal's last transaction: moves no money; the zero-risk exchange of `terminal:check`.
   * `signal` ends it at once (the link is closed) with a `timeout` LinkError.
   */
  lastTransaction(options: { signal?: AbortSignal } = {}): Promise<TransactionResult> {
    return this.serial(() =>
      this.timed({ operation: 'last_transaction', amountCents: 0, reference: 'STATUS' }, this.settings.timing.answerTimeoutMs, options.signal),
    );
  }

  private async timed(request: ConcertRequest, answerTimeoutMs?: number, signal?: AbortSignal): Promise<TransactionResult> {
    const started = performance.now();
    const answer = await this.link.exchange(request, answerTimeoutMs, signal);
    return { answer, recovered: false, latencyMs: performance.now() - started };
  }

  private transact(request: ConcertRequest): Promise<TransactionResult> {
    return this.serial(async () => {
      try {
        return await this.timed(request);
      } catch (error) {
        if (!(error instanceof LinkError) || !error.requestDelivered) throw error;
        const recovered = await this.recover(request);
        if (recovered) return recovered;
        throw error;
      }
    });
  }

  /** After a failure once the request was delivered: did the terminal end our transaction? */
  private async recover(request: ConcertRequest): Promise<TransactionResult | undefined> {
    const { controlTimeoutMs, retries } = this.settings.timing;
    for (let attempt = 0; attempt <= retries; attempt += 1) {
      try {
        const started = performance.now();
        const last = await this.link.exchange(
          { operation: 'last_transaction', amountCents: 0, reference: 'STATUS' },
          Math.max(controlTimeoutMs * 2, 1000),
        );
        if (last.reference === request.reference) {
          return { answer: last, recovered: true, latencyMs: performance.now() - started };
        }
        return undefined;
      } catch (error) {
        if (!(error instanceof ProtocolError)) throw error;
        await new Promise((r) => setTimeout(r, Math.min(500 * (attempt + 1), 2000)));
      }
    }
    return undefined;
  }

  close(): Promise<void> {
    return this.serial(() => this.link.close());
  }
}
