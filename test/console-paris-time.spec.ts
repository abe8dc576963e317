import { parisInstant, parisLocal } from '../apps/console/src/paris-time';

/** Paris wall-clock values read as instants (the process runs with TZ=UTC, the browser test with New York). */
describe('the console’s Paris time', () => {
  it('reads a winter and a summer wall-clock time with their offsets', () => {
    expect(parisInstant('2026-01-15T10:00')?.toISOString()).toBe('2026-01-15T09:00:00.000Z');
    expect(parisInstant('2026-07-15T10:00')?.toISOString()).toBe('2026-07-15T08:00:00.000Z');
    expect(parisInstant('2026-07-15T00:30:15')?.toISOString()).toBe('2026-07-14T22:30:15.000Z');
  });

  it('reads the hours around the changes of 29 March and 25 October 2026', () => {
    expect(parisInstant('2026-03-29T01:59')?.toISOString()).toBe('2026-03-29T00:59:00.000Z');
    // Skipped by the clocks: an hour later, as a clock moved forward shows it.
    expect(parisInstant('2026-03-29T02:30')?.toISOString()).toBe('2026-03-29T01:30:00.000Z');
    expect(parisInstant('2026-03-29T03:00')?.toISOString()).toBe('2026-03-29T01:00:00.000Z');
    // Repeated: the first occurrence (summer time).
    expect(parisInstant('2026-10-25T02:30')?.toISOString()).toBe('2026-10-25T00:30:00.000Z');
    expect(parisInstant('2026-10-25T03:00')?.toISOString()).toBe('2026-10-25T02:00:00.000Z');
  });

  it('refuses what is not a wall-clock time', () => {
    for (const bad of [
      '',
      '2026-02-30T10:00',
      '2026-01-15',
      '2026-01-15T24:00',
      '2026-01-15T10:60',
      'x2026-01-15T10:00',
      '2026-01-15T10:00Z',
    ])
      expect(parisInstant(bad)).toBeNull();
  });

  it('writes an instant back as the Paris wall-clock time it reads', () => {
    expect(parisLocal(new Date('2026-07-14T22:30:00Z'))).toBe('2026-07-15T00:30');
    for (const at of ['2026-01-15T09:00:00Z', '2026-03-29T01:00:00Z', '2026-10-25T02:00:00Z'])
      expect(parisInstant(parisLocal(new Date(at)))?.toISOString()).toBe(new Date(at).toISOString());
  });
});
