/**
 * The terms an order may have, as plain computations: the console imports this file as it is
 * (apps/console/vite.config.mts), so that the form says what the API will refuse by the same
 * code. It imports nothing: no Node, no Nest, no zod.
 */

/** Loi n° 2024-449 of 21 May 2024 (JO of 22 May), in force the next day: no ban before it. */
export const LAW_IN_FORCE = '2024-05-23';
export const DAY_MS = 86_400_000;

export const LEGAL_BASES = ['conviction', 'pretrial_supervision', 'probation'] as const;
export type LegalBasis = (typeof LEGAL_BASES)[number];

/** A court reference: letters, digits, spaces and . _ / -, starting with a letter or a digit. */
export const COURT_REFERENCE = /^[A-Za-z0-9][A-Za-z0-9 ._/-]*$/;

/**
 * Code pénal 131-35-1: 6 months at most, 12 for a legal repeat offender (récidive légale).
 * A ban ordered under contrôle judiciaire or sursis probatoire is 6 months at most whatever
 * the record.
 */
export function maxDurationMonths(legalBasis: LegalBasis, repeatOffender: boolean): 6 | 12 {
  return legalBasis === 'conviction' && repeatOffender ? 12 : 6;
}

/** The legal calendar: French courts' dates and times are Paris wall-clock ones. */
export const LEGAL_TIME_ZONE = 'Europe/Paris';

/** A length of time as a judgment states it: calendar months, then days. */
export interface Duration {
  months?: number;
  days?: number;
}

const WALL_CLOCK = new Intl.DateTimeFormat('en-GB', {
  timeZone: LEGAL_TIME_ZONE,
  hourCycle: 'h23',
  year: 'numeric',
  month: 'numeric',
  day: 'numeric',
  hour: 'numeric',
  minute: 'numeric',
  second: 'numeric',
});

/** The Paris wall clock at an instant, as if it were a UTC time (milliseconds kept). */
function wallClock(at: number): number {
  const p: Record<string, number> = {};
  for (const { type, value } of WALL_CLOCK.formatToParts(at)) p[type] = Number(value);
  return Date.UTC(p.year!, p.month! - 1, p.day!, p.hour!, p.minute!, p.second!) + (((at % 1000) + 1000) % 1000);
}

/**
 * The instant Paris reads a wall-clock time at, as Temporal's "compatible" disambiguation does: of
 * two (the hour repeated when summer time ends) the earlier; in the hour skipped when it begins,
 * the same time an hour later (02:30 becomes 03:30).
 */
function fromWallClock(wall: number): number {
  const offsets = [wallClock(wall - DAY_MS) - (wall - DAY_MS), wallClock(wall + DAY_MS) - (wall + DAY_MS)];
  const exact = offsets.map((o) => wall - o).filter((t) => wallClock(t) === wall);
  return exact.length > 0 ? Math.min(...exact) : wall - offsets[0]!;
}

/**
 * Adds calendar months "de quantième à quantième" on the Paris calendar: the day of the month
 * carries over (a day the target month lacks becomes its last day) and so does the wall-clock
 * time, across a daylight-saving change (03:24 stays 03:24).
 */
export function addMonths(at: Date, months: number): Date {
  const wall = new Date(wallClock(at.getTime()));
  const y = wall.getUTCFullYear();
  const m = wall.getUTCMonth() + months;
  const lastDay = new Date(Date.UTC(y, m + 1, 0)).getUTCDate();
  wall.setUTCFullYear(y, m, Math.min(wall.getUTCDate(), lastDay));
  return new Date(fromWallClock(wall.getTime()));
}

/** A Paris wall-clock time "YYYY-MM-DDTHH:mm" (a datetime-local input's value) as an instant; undefined if malformed. */
export function parisInstant(local: string): Date | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?$/.exec(local);
  if (!m) return undefined;
  const [y, mo, d, h, mi, s] = m.slice(1).map((v) => Number(v ?? 0)) as [number, number, number, number, number, number];
  return new Date(fromWallClock(Date.UTC(y, mo - 1, d, h, mi, s)));
}

/** Adds calendar days on the Paris calendar, keeping the wall-clock time. */
export function addDays(at: Date, days: number): Date {
  return new Date(fromWallClock(wallClock(at.getTime()) + days * DAY_MS));
}

/** When a ban of `duration` starting at `startsAt` ends: the months first, then the days (as ISO 8601 adds them). */
export function endOf(startsAt: Date, duration: Duration): Date {
  return addDays(addMonths(startsAt, duration.months ?? 0), duration.days ?? 0);
}

/** The latest end the law allows a ban starting at `startsAt`. */
export function latestEnd(startsAt: Date, legalBasis: LegalBasis, repeatOffender: boolean): Date {
  return addMonths(startsAt, maxDurationMonths(legalBasis, repeatOffender));
}

/**
 * The most calendar days (`durationDays`) a ban starting at `startsAt` may last: the Paris dates
 * between its start and its latest end, which have the same wall-clock time.
 */
export function maxDurationDays(startsAt: Date, legalBasis: LegalBasis, repeatOffender: boolean): number {
  const from = wallClock(startsAt.getTime());
  const to = wallClock(latestEnd(startsAt, legalBasis, repeatOffender).getTime());
  return Math.round((to - from) / DAY_MS);
}
