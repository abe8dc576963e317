const PARIS_DATE = new Intl.DateTimeFormat('en-CA', {
  timeZone: 'Europe/Paris',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
});

/** The calendar date (YYYY-MM-DD) in metropolitan France at an instant: the courts' calendar. */
export function parisDate(at: Date): string {
  return PARIS_DATE.format(at);
}
