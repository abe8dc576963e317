import { orderStatus, resumedWindow } from './order-rules';

const at = (iso: string) => new Date(iso);
const DAY = 86_400_000;

describe('an order’s status with its appeal and early ends (decision 0027)', () => {
  const window = { startsAt: at('2026-12-01T10:00:00Z'), endsAt: at('2027-01-01T10:00:00Z'), revokedAt: null };

  it('is suspended while an appeal is pending, whatever its window says', () => {
    for (const now of ['2026-11-30T00:00:00Z', '2026-12-15T00:00:00Z', '2027-03-01T00:00:00Z']) {
      expect(orderStatus({ ...window, suspendedAt: at('2026-12-02T00:00:00Z') }, at(now))).toBe('suspended');
    }
    expect(orderStatus({ ...window, suspendedAt: null }, at('2026-12-15T00:00:00Z'))).toBe('active');
  });

  it('says how an order ended early', () => {
    const ended = { ...window, revokedAt: at('2026-12-10T00:00:00Z') };
    const now = at('2026-12-11T00:00:00Z');
    expect(orderStatus({ ...ended, endedBy: 'revocation' }, now)).toBe('revoked');
    expect(orderStatus({ ...ended, endedBy: 'relief' }, now)).toBe('relieved');
    expect(orderStatus({ ...ended, endedBy: 'appeal_quashed' }, now)).toBe('quashed');
    // Rows from before the appeals (no ended_by) were revocations.
    expect(orderStatus(ended, now)).toBe('revoked');
  });
});

describe('resumedWindow: what was left of the ban, from the resumption', () => {
  const order = { startsAt: at('2026-12-01T10:00:00Z'), endsAt: at('2027-01-01T10:00:00Z') };
  const length = order.endsAt.getTime() - order.startsAt.getTime();

  it('runs the rest of its length from now when it had started', () => {
    const suspendedAt = new Date(order.startsAt.getTime() + 10 * DAY);
    const now = at('2027-02-01T08:00:00Z');
    const w = resumedWindow(order, suspendedAt, now);
    expect(w.startsAt).toEqual(now);
    expect(w.endsAt.getTime() - now.getTime()).toBe(length - 10 * DAY);
  });

  it('runs its whole length from now when it was suspended before its start that has now passed', () => {
    const now = at('2027-02-01T08:00:00Z');
    const w = resumedWindow(order, at('2026-11-20T00:00:00Z'), now);
    expect(w).toEqual({ startsAt: now, endsAt: new Date(now.getTime() + length) });
  });

  it('keeps its window when its start is still ahead', () => {
    expect(resumedWindow(order, at('2026-11-20T00:00:00Z'), at('2026-11-25T00:00:00Z'))).toEqual(order);
  });
});
