/**
 * Calendar dates as `YYYY-MM-DD` strings. Statements, remittances and the annual statement speak in
 * days, not instants, so no time zone may shift them: arithmetic goes through UTC day numbers.
 */
export type IsoDate = string;

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const MS_PER_DAY = 86_400_000;

export function isIsoDate(value: unknown): value is IsoDate {
  if (typeof value !== 'string') return false;
  const match = ISO_DATE.exec(value);
  if (!match) return false;
  const [, year, month, day] = match.map(Number) as [number, number, number, number];
  return isCalendarDate(year, month, day);
}

export function isCalendarDate(year: number, month: number, day: number): boolean {
  if (month < 1 || month > 12 || day < 1) return false;
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

export function isoDate(year: number, month: number, day: number): IsoDate {
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

function assertIsoDate(value: IsoDate): void {
  if (!isIsoDate(value)) throw new RangeError(`Date invalide : « ${String(value)} » (attendu AAAA-MM-JJ).`);
}

/** Days since 1970-01-01. */
export function dayNumber(date: IsoDate): number {
  assertIsoDate(date);
  return Date.UTC(Number(date.slice(0, 4)), Number(date.slice(5, 7)) - 1, Number(date.slice(8, 10))) / MS_PER_DAY;
}

export function fromDayNumber(day: number): IsoDate {
  return new Date(day * MS_PER_DAY).toISOString().slice(0, 10);
}

export function addDays(date: IsoDate, days: number): IsoDate {
  return fromDayNumber(dayNumber(date) + days);
}

/** Gregorian Easter Sunday (anonymous algorithm, Meeus/Jones/Butcher). */
export function easterSunday(year: number): IsoDate {
  const a = year % 19;
  const b = Math.floor(year / 100);
  const c = year % 100;
  const d = Math.floor(b / 4);
  const e = b % 4;
  const f = Math.floor((b + 8) / 25);
  const g = Math.floor((b - f + 1) / 3);
  const h = (19 * a + b - d - g + 15) % 30;
  const i = Math.floor(c / 4);
  const k = c % 4;
  const l = (32 + 2 * e + 2 * i - h - k) % 7;
  const m = Math.floor((a + 11 * h + 22 * l) / 451);
  const month = Math.floor((h + l - 7 * m + 114) / 31);
  const day = ((h + l - 7 * m + 114) % 31) + 1;
  return isoDate(year, month, day);
}

export interface FrenchHolidayOptions {
  /**
   * Whit Monday is a public holiday in the Code du travail (art. L3133-1) but also the usual
   * « journée de solidarité », worked in many places: on by default, as for banks.
   */
  readonly whitMonday?: boolean;
  /** Alsace and Moselle add Good Friday and 26 December. */
  readonly alsaceMoselle?: boolean;
}

export interface Holiday {
  readonly date: IsoDate;
  readonly name: string;
}

/** The French public holidays of a year (art. L3133-1 of the Code du travail), sorted by date. */
export function frenchPublicHolidays(year: number, options: FrenchHolidayOptions = {}): Holiday[] {
  const easter = easterSunday(year);
  const holidays: Holiday[] = [
    { date: isoDate(year, 1, 1), name: 'Jour de l’an' },
    { date: addDays(easter, 1), name: 'Lundi de Pâques' },
    { date: isoDate(year, 5, 1), name: 'Fête du travail' },
    { date: isoDate(year, 5, 8), name: 'Victoire 1945' },
    { date: addDays(easter, 39), name: 'Ascension' },
    { date: isoDate(year, 7, 14), name: 'Fête nationale' },
    { date: isoDate(year, 8, 15), name: 'Assomption' },
    { date: isoDate(year, 11, 1), name: 'Toussaint' },
    { date: isoDate(year, 11, 11), name: 'Armistice 1918' },
    { date: isoDate(year, 12, 25), name: 'Noël' },
  ];
  if (options.whitMonday ?? true) holidays.push({ date: addDays(easter, 50), name: 'Lundi de Pentecôte' });
  if (options.alsaceMoselle) {
    holidays.push({ date: addDays(easter, -2), name: 'Vendredi saint' }, { date: isoDate(year, 12, 26), name: 'Saint-Étienne' });
  }
  return holidays.sort((left, right) => left.date.localeCompare(right.date));
}

/** A day on which banks credit accounts. */
export type BusinessDayPredicate = (date: IsoDate) => boolean;

export interface BusinessCalendarOptions extends FrenchHolidayOptions {
  /** Further closed days (e.g. a bank's own closures), `YYYY-MM-DD`. */
  readonly extraClosedDays?: readonly IsoDate[];
}

/** French business days: neither a weekend nor a public holiday. Holidays are computed once per year. */
export function frenchBusinessCalendar(options: BusinessCalendarOptions = {}): BusinessDayPredicate {
  const closedByYear = new Map<number, Set<IsoDate>>();
  const extra = new Set(options.extraClosedDays ?? []);
  return (date) => {
    const day = dayNumber(date);
    const weekday = (((day + 4) % 7) + 7) % 7;
    if (weekday === 0 || weekday === 6) return false;
    const year = Number(date.slice(0, 4));
    let closed = closedByYear.get(year);
    if (!closed) {
      closed = new Set(frenchPublicHolidays(year, options).map((holiday) => holiday.date));
      closedByYear.set(year, closed);
    }
    return !closed.has(date) && !extra.has(date);
  };
}

/** The date `count` business days after `date` (the same date, moved forward to a business day, for 0). */
export function addBusinessDays(date: IsoDate, count: number, isBusinessDay: BusinessDayPredicate = frenchBusinessCalendar()): IsoDate {
  if (!Number.isInteger(count) || count < 0) throw new RangeError(`Nombre de jours ouvrés invalide : ${count}.`);
  let day = dayNumber(date);
  while (!isBusinessDay(fromDayNumber(day))) day += 1;
  for (let remaining = count; remaining > 0;) {
    day += 1;
    if (isBusinessDay(fromDayNumber(day))) remaining -= 1;
  }
  return fromDayNumber(day);
}
