import fc from 'fast-check';
import {
  addBusinessDays,
  addDays,
  dayNumber,
  easterSunday,
  frenchBusinessCalendar,
  frenchPublicHolidays,
  fromDayNumber,
  isIsoDate,
} from './calendar';

describe('calendar', () => {
  it('validates calendar dates', () => {
    expect(isIsoDate('2025-02-28')).toBe(true);
    expect(isIsoDate('2024-02-29')).toBe(true);
    expect(isIsoDate('2025-02-29')).toBe(false);
    expect(isIsoDate('2025-13-01')).toBe(false);
    expect(isIsoDate('2025-1-01')).toBe(false);
    expect(isIsoDate(20250101)).toBe(false);
  });

  it('counts days without time-zone drift', () => {
    expect(addDays('2025-12-31', 1)).toBe('2026-01-01');
    expect(addDays('2024-03-01', -1)).toBe('2024-02-29');
    fc.assert(fc.property(fc.integer({ min: -30_000, max: 60_000 }), (day) => expect(dayNumber(fromDayNumber(day))).toBe(day)));
  });

  it.each([
    [2024, '2024-03-31'],
    [2025, '2025-04-20'],
    [2026, '2026-04-05'],
    [2027, '2027-03-28'],
    [2038, '2038-04-25'],
  ])('knows Easter %i', (year, easter) => {
    expect(easterSunday(year)).toBe(easter);
  });

  it.each([
    [
      2025,
      [
        '2025-01-01',
        '2025-04-21',
        '2025-05-01',
        '2025-05-08',
        '2025-05-29',
        '2025-06-09',
        '2025-07-14',
        '2025-08-15',
        '2025-11-01',
        '2025-11-11',
        '2025-12-25',
      ],
    ],
    [
      2026,
      [
        '2026-01-01',
        '2026-04-06',
        '2026-05-01',
        '2026-05-08',
        '2026-05-14',
        '2026-05-25',
        '2026-07-14',
        '2026-08-15',
        '2026-11-01',
        '2026-11-11',
        '2026-12-25',
      ],
    ],
    [
      2027,
      [
        '2027-01-01',
        '2027-03-29',
        '2027-05-01',
        '2027-05-06',
        '2027-05-08',
        '2027-05-17',
        '2027-07-14',
        '2027-08-15',
        '2027-11-01',
        '2027-11-11',
        '2027-12-25',
      ],
    ],
  ])('lists the French public holidays of %i', (year, dates) => {
    expect(frenchPublicHolidays(year).map((holiday) => holiday.date)).toEqual(dates);
  });

  it('adds Good Friday and Saint-Étienne in Alsace-Moselle, and can leave Whit Monday worked', () => {
    const dates = frenchPublicHolidays(2026, { alsaceMoselle: true, whitMonday: false }).map((holiday) => holiday.date);
    expect(dates).toContain('2026-04-03');
    expect(dates).toContain('2026-12-26');
    expect(dates).not.toContain('2026-05-25');
    expect(dates).toHaveLength(12);
  });

  it('skips weekends and holidays when adding business days', () => {
    const isBusinessDay = frenchBusinessCalendar();
    expect(isBusinessDay('2025-12-25')).toBe(false);
    expect(isBusinessDay('2025-12-27')).toBe(false);
    expect(isBusinessDay('2025-12-29')).toBe(true);
    // Wednesday 24 December 2025 + 2: Christmas and the weekend fall in between.
    expect(addBusinessDays('2025-12-24', 2, isBusinessDay)).toBe('2025-12-29');
    expect(addBusinessDays('2025-12-31', 1, isBusinessDay)).toBe('2026-01-02');
    // Thursday before Easter 2026: Friday, then Tuesday after Easter Monday.
    expect(addBusinessDays('2026-04-02', 2, isBusinessDay)).toBe('2026-04-07');
    // Ascension 2027 falls on Thursday 6 May; Saturday 8 May is a holiday anyway.
    expect(addBusinessDays('2027-05-05', 1, isBusinessDay)).toBe('2027-05-07');
    expect(addBusinessDays('2025-12-27', 0, isBusinessDay)).toBe('2025-12-29');
    expect(addBusinessDays('2025-12-29', 0, isBusinessDay)).toBe('2025-12-29');
  });

  it('honours extra closed days', () => {
    const isBusinessDay = frenchBusinessCalendar({ extraClosedDays: ['2025-12-26'] });
    expect(addBusinessDays('2025-12-24', 1, isBusinessDay)).toBe('2025-12-29');
  });

  it('refuses a negative number of business days', () => {
    expect(() => addBusinessDays('2025-01-02', -1)).toThrow(/jours ouvrés/);
  });
});
