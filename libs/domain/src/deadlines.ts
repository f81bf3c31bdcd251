/**
 * Deadline arithmetic of the programme. All delays are durations in milliseconds, configured once
 * (X = completion delay, Y = acknowledgment timeout, imprint validity, alert margin).
 */
export interface BusinessDelays {
  /** X: time between the acknowledgment of the notice and the debit. */
  readonly completionDelayMs: number;
  /** Y: time allowed for the acknowledgment after the notice was sent. */
  readonly ackTimeoutMs: number;
  /** How long an imprint (PLBS pre-authorisation) can still be completed. */
  readonly imprintValidityMs: number;
  /** How long before the last useful moment the GAP is alerted. */
  readonly deadlineAlertMarginMs: number;
}

const plus = (at: Date, ms: number): Date => new Date(at.getTime() + ms);

export function imprintValidUntil(imprintedAt: Date, delays: BusinessDelays): Date {
  return plus(imprintedAt, delays.imprintValidityMs);
}

export function completionDueAt(acknowledgedAt: Date, delays: BusinessDelays): Date {
  return plus(acknowledgedAt, delays.completionDelayMs);
}

export function acknowledgmentDueAt(noticeSentAt: Date, delays: BusinessDelays): Date {
  return plus(noticeSentAt, delays.ackTimeoutMs);
}

/**
 * The latest moment at which an acknowledgment still lets the debit happen X days later within
 * the imprint's validity.
 */
export function lastUsefulAcknowledgment(validUntil: Date, delays: BusinessDelays): Date {
  return plus(validUntil, -delays.completionDelayMs);
}

/** When the GAP is warned that the imprint is about to become useless (margin plus X before its end). */
export function deadlineAlertAt(validUntil: Date, delays: BusinessDelays): Date {
  return plus(validUntil, -(delays.completionDelayMs + delays.deadlineAlertMarginMs));
}

/** A payment request is late when even an immediate acknowledgment would put the debit past the validity. */
export function isPaymentRequestLate(requestedAt: Date, validUntil: Date, delays: BusinessDelays): boolean {
  return completionDueAt(requestedAt, delays).getTime() >= validUntil.getTime();
}
