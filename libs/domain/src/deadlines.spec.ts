import {
  BusinessDelays,
  acknowledgmentDueAt,
  completionDueAt,
  deadlineAlertAt,
  imprintValidUntil,
  isPaymentRequestLate,
  lastUsefulAcknowledgment,
} from './deadlines';

const DAY = 86_400_000;
const delays: BusinessDelays = {
  completionDelayMs: 3 * DAY,
  ackTimeoutMs: 15 * DAY,
  imprintValidityMs: 30 * DAY,
  deadlineAlertMarginMs: 5 * DAY,
};
const t0 = new Date('2026-01-01T10:00:00Z');

describe('deadlines', () => {
  it('computes each due time from its origin', () => {
    expect(imprintValidUntil(t0, delays).toISOString()).toBe('2026-01-31T10:00:00.000Z');
    expect(completionDueAt(t0, delays).toISOString()).toBe('2026-01-04T10:00:00.000Z');
    expect(acknowledgmentDueAt(t0, delays).toISOString()).toBe('2026-01-16T10:00:00.000Z');
  });

  it('alerts margin plus X before the end of validity', () => {
    const validUntil = imprintValidUntil(t0, delays);
    expect(deadlineAlertAt(validUntil, delays).toISOString()).toBe('2026-01-23T10:00:00.000Z');
    expect(lastUsefulAcknowledgment(validUntil, delays).toISOString()).toBe('2026-01-28T10:00:00.000Z');
  });

  it('flags a payment request that leaves less than X before the end of validity', () => {
    const validUntil = imprintValidUntil(t0, delays);
    expect(isPaymentRequestLate(new Date(validUntil.getTime() - 4 * DAY), validUntil, delays)).toBe(false);
    expect(isPaymentRequestLate(new Date(validUntil.getTime() - 3 * DAY), validUntil, delays)).toBe(true);
  });
});
