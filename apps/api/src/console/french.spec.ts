import { JOURNAL_EVENT_TYPES } from '@diapason/domain';
import { euros, eventLabel, masked, parisDayStart } from './french';

describe('console French formatting', () => {
  it('starts the day at midnight Paris time, winter and summer', () => {
    expect(parisDayStart(new Date('2026-11-23T09:00:00Z')).toISOString()).toBe('2026-11-22T23:00:00.000Z');
    expect(parisDayStart(new Date('2026-11-22T23:30:00Z')).toISOString()).toBe('2026-11-22T23:00:00.000Z');
    expect(parisDayStart(new Date('2026-07-14T21:59:00Z')).toISOString()).toBe('2026-07-13T22:00:00.000Z');
    expect(parisDayStart(new Date('2026-07-14T22:00:00Z')).toISOString()).toBe('2026-07-14T22:00:00.000Z');
  });

  it('labels every journal event type in French', () => {
    for (const type of JOURNAL_EVENT_TYPES) expect({ type, label: eventLabel(type) }).not.toEqual({ type, label: type });
  });

  it('formats euros from cents and masks contacts', () => {
    expect(euros(123456)).toBe('1 234,56 €');
    expect(euros(null)).toBe('—');
    expect(masked('+33639980101')).toBe('+3363*****01');
    expect(masked('claire@example.test')).toBe('c***@example.test');
  });
});
