import { randomInt } from 'node:crypto';
import { ConcertOperation, TerminalModel, TerminalProfile, profileFor } from '@diapason/terminal-bridge';

export type Outcome = 'approved' | 'refused' | 'card_removed' | 'no_answer';
export type Fault = 'nak' | 'bad_lrc' | 'drop_byte' | 'disconnect_mid_frame' | 'mute';
export const OUTCOMES: readonly Outcome[] = ['approved', 'refused', 'card_removed', 'no_answer'];
export const FAULTS: readonly Fault[] = ['nak', 'bad_lrc', 'drop_byte', 'disconnect_mid_frame', 'mute'];

export interface SimulatedTransaction {
  reference: string;
  operation: ConcertOperation;
  amountCents: number;
  outcome: Outcome;
  at: string;
  maskedPan: string | null;
  authorisationNumber: string | null;
  acquirerReference: string | null;
}

export interface SimulatedAnswer {
  status: 'accepted' | 'refused' | 'not_done';
  detail: string | null;
  amountCents: number;
  reference: string | null;
  /** What a real terminal puts in its answer: here a number that cannot be a card (bad Luhn digit). */
  cardNumber: string | null;
  cardExpiry: string | null;
  authorisationNumber: string | null;
  acquirerReference: string | null;
}

/** Payment test cards pick their outcome by amount; so does this terminal (cents 02, 05, 08). */
export function outcomeForAmount(amountCents: number): Outcome {
  switch (amountCents % 100) {
    case 2:
      return 'refused';
    case 5:
      return 'card_removed';
    case 8:
      return 'no_answer';
    default:
      return 'approved';
  }
}

/** 16 digits in a private-use test range whose last digit breaks the Luhn check. */
export function fakeCardNumber(): string {
  const body = `499999${String(randomInt(0, 1_000_000_000)).padStart(9, '0')}`;
  let sum = 0;
  for (let i = 0; i < body.length; i += 1) {
    let d = Number(body[body.length - 1 - i]);
    if (i % 2 === 0) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  const luhnDigit = (10 - (sum % 10)) % 10;
  return `${body}${(luhnDigit + 1) % 10}`;
}

export class SimulatedTerminal {
  readonly profile: TerminalProfile;
  readonly transactions: SimulatedTransaction[] = [];
  private lastAnswer: SimulatedAnswer | undefined;
  private forced: Outcome[] = [];
  private faults: Fault[] = [];
  muted = false;
  /** Time the "patient" takes at the terminal before the answer. */
  answerDelayMs: number;
  private sequence = 0;

  constructor(
    readonly id: string,
    readonly model: TerminalModel,
    options: { answerDelayMs?: number } = {},
  ) {
    this.profile = profileFor(model);
    this.answerDelayMs = options.answerDelayMs ?? 0;
  }

  forceNextOutcome(outcome: Outcome): void {
    this.forced.push(outcome);
  }

  injectFault(fault: Fault, count = 1): void {
    if (fault === 'mute') {
      this.muted = true;
      return;
    }
    for (let i = 0; i < count; i += 1) this.faults.push(fault);
  }

  /** Takes the next pending fault of this kind, if any. */
  takeFault(fault: Fault): boolean {
    const index = this.faults.indexOf(fault);
    if (index === -1) return false;
    this.faults.splice(index, 1);
    return true;
  }

  reset(): void {
    this.forced = [];
    this.faults = [];
    this.muted = false;
  }

  operationOf(code: string, protocol: 'v2' | 'v3'): ConcertOperation | undefined {
    const table = protocol === 'v2' ? this.profile.v2.transactionTypes : this.profile.v3.actions;
    return (Object.entries(table) as [ConcertOperation, string][]).find(([, c]) => c === code)?.[0];
  }

  /** Runs a transaction; `undefined` means the terminal never answers (outcome `no_answer`). */
  async transact(operation: ConcertOperation, amountCents: number, reference: string): Promise<SimulatedAnswer | undefined> {
    if (operation === 'last_transaction') {
      return (
        this.lastAnswer ?? {
          status: 'not_done',
          detail: null,
          amountCents: 0,
          reference: null,
          cardNumber: null,
          cardExpiry: null,
          authorisationNumber: null,
          acquirerReference: null,
        }
      );
    }
    const outcome = this.forced.shift() ?? outcomeForAmount(amountCents);
    if (this.answerDelayMs > 0) await new Promise((r) => setTimeout(r, this.answerDelayMs));
    if (outcome === 'no_answer') {
      this.transactions.push({
        reference,
        operation,
        amountCents,
        outcome,
        at: new Date().toISOString(),
        maskedPan: null,
        authorisationNumber: null,
        acquirerReference: null,
      });
      return undefined;
    }
    this.sequence += 1;
    const approved = outcome === 'approved';
    const expiry = new Date();
    expiry.setFullYear(expiry.getFullYear() + 2);
    const answer: SimulatedAnswer = {
      status: approved ? 'accepted' : outcome === 'refused' ? 'refused' : 'not_done',
      detail: outcome === 'refused' ? '04' : outcome === 'card_removed' ? '06' : null,
      amountCents,
      reference,
      cardNumber: outcome === 'card_removed' ? null : fakeCardNumber(),
      cardExpiry: approved ? `${String(expiry.getFullYear()).slice(2)}${String(expiry.getMonth() + 1).padStart(2, '0')}` : null,
      authorisationNumber: approved ? String(randomInt(100_000, 1_000_000)) : null,
      acquirerReference: approved
        ? `SIM${this.id
            .replace(/[^A-Z0-9]/gi, '')
            .slice(0, 3)
            .toUpperCase()}${String(this.sequence).padStart(6, '0')}`
        : null,
    };
    this.lastAnswer = answer;
    this.transactions.push({
      reference,
      operation,
      amountCents,
      outcome,
      at: new Date().toISOString(),
      maskedPan: answer.cardNumber ? `${answer.cardNumber.slice(0, 6)}######${answer.cardNumber.slice(-4)}` : null,
      authorisationNumber: answer.authorisationNumber,
      acquirerReference: answer.acquirerReference,
    });
    return answer;
  }
}
