import { overdue, overdueSql, slaDeadline, slaMet } from './sla';

const at = (iso: string) => new Date(iso);

describe('the SLA rule', () => {
  const delivered = at('2026-12-01T10:00:00Z');
  const deadline = slaDeadline(delivered, 2);

  it('runs the deadline from delivery, and says met only for an answer by then', () => {
    expect(deadline.toISOString()).toBe('2026-12-01T12:00:00.000Z');
    expect(slaMet(deadline, at('2026-12-01T12:00:00Z'), at('2026-12-02T00:00:00Z'))).toBe(true);
    expect(slaMet(deadline, at('2026-12-01T12:00:01Z'), at('2026-12-02T00:00:00Z'))).toBe(false);
    expect(slaMet(deadline, null, at('2026-12-01T12:00:00Z'))).toBeNull();
    expect(slaMet(deadline, null, at('2026-12-01T12:00:01Z'))).toBe(false);
    expect(slaMet(null, null, at('2026-12-01T12:00:01Z'))).toBeNull();
  });

  it('calls overdue — to be chased — only a delivered suspend past its deadline, not one answered late', () => {
    const after = at('2026-12-01T12:00:01Z');
    expect(overdue('delivered', deadline, after)).toBe(true);
    expect(overdue('delivered', deadline, deadline)).toBe(false);
    expect(overdue('delivered', null, after)).toBe(false);
    for (const status of ['pending', 'enforced', 'failed', 'lifting', 'lifted']) expect(overdue(status, deadline, after)).toBe(false);
  });

  it('says the same in SQL, for a row and an instant it is given', () => {
    expect(overdueSql('op', '$1')).toBe(`(op.status = 'delivered' AND op.sla_deadline < $1)`);
  });
});
