/**
 * The courts' clock is Paris's. A `datetime-local` input gives a wall-clock time with no zone,
 * and `new Date(value)` would read it in the browser's zone (a clerk abroad, a laptop set to
 * UTC): the console reads it in Europe/Paris instead, with this module, wherever the browser is.
 */

const PARTS = new Intl.DateTimeFormat('en-US', {
  timeZone: 'Europe/Paris',
  hourCycle: 'h23',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
});

/** Paris's offset from UTC at an instant, in milliseconds (+1 h in winter, +2 h in summer). */
function parisOffset(at: number): number {
  const p = Object.fromEntries(PARTS.formatToParts(new Date(at)).map((x) => [x.type, x.value]));
  const wall = Date.UTC(Number(p.year), Number(p.month) - 1, Number(p.day), Number(p.hour), Number(p.minute), Number(p.second));
  return wall - (at - (at % 1000));
}

const LOCAL = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?$/;

/**
 * The instant a Paris wall-clock time stands for ("2026-03-29T02:30" as a datetime-local input
 * gives it), or null if it is not one. A time the spring change skips (02:00–03:00 on the last
 * Sunday of March) is read with the winter offset, so it lands an hour later, as a clock moved
 * forward shows it; a time the autumn change repeats is read as its first occurrence.
 */
export function parisInstant(local: string): Date | null {
  const m = LOCAL.exec(local);
  if (!m) return null;
  const [y, mo, d, h, mi, s] = m.slice(1).map((v) => Number(v ?? 0)) as [number, number, number, number, number, number];
  const wall = Date.UTC(y, mo - 1, d, h, mi, s);
  if (Number.isNaN(wall) || new Date(wall).getUTCDate() !== d || h > 23 || mi > 59 || s > 59) return null;
  // Paris's offset an hour either side of the wall time read as UTC: the earlier one first.
  const before = parisOffset(wall - 3_600_000 * 3);
  const after = parisOffset(wall + 3_600_000 * 3);
  for (const offset of before >= after ? [before, after] : [after, before]) {
    const instant = wall - offset;
    if (parisOffset(instant) === offset) return new Date(instant);
  }
  // In the gap the spring change skips: the winter offset.
  return new Date(wall - Math.min(before, after));
}

/** The Paris wall-clock time of an instant, as a datetime-local input takes it ("YYYY-MM-DDTHH:mm"). */
export function parisLocal(at: Date): string {
  const p = Object.fromEntries(PARTS.formatToParts(at).map((x) => [x.type, x.value]));
  return `${p.year}-${p.month}-${p.day}T${p.hour}:${p.minute}`;
}
