import { likeLiteral } from './order.store';
import { csvCell, ordersCsv } from './orders-csv';
import type { OrderView } from './orders.schemas';

describe('the orders CSV', () => {
  it('quotes what must be, and defuses what a spreadsheet would run as a formula', () => {
    expect(csvCell('TJ-PARIS 1')).toBe('TJ-PARIS 1');
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('a;b')).toBe('"a;b"');
    expect(csvCell('say "no"')).toBe('"say ""no"""');
    expect(csvCell('line\nbreak')).toBe('"line\nbreak"');
    for (const formula of ['=1+1', '+1', '-1', '@SUM(A1)', '\tx', '\rx']) expect(csvCell(formula).replace(/^"/, '')).toMatch(/^'/);
    expect(csvCell(2)).toBe('2');
    expect(csvCell(null)).toBe('');
  });

  it('writes one line per order, in French, its late platforms counted', () => {
    const order: OrderView = {
      id: '01900000-0000-7000-8000-000000000000',
      status: 'active',
      courtReference: 'TJ-1',
      court: 'Tribunal judiciaire de Paris',
      decisionDate: '2026-12-01',
      legalBasis: 'conviction',
      offence: 'cyberharassment',
      repeatOffender: false,
      startsAt: '2026-12-01T00:00:00.000Z',
      endsAt: '2027-06-01T00:00:00.000Z',
      signalCount: 2,
      platforms: [
        {
          platform: 'a',
          status: 'delivered',
          accountCount: 1,
          deliveredAt: null,
          enforcedAt: null,
          slaDeadline: null,
          liftedAt: null,
          outcome: null,
          slaMet: false,
          overdue: true,
        },
        {
          platform: 'b',
          status: 'enforced',
          accountCount: 1,
          deliveredAt: null,
          enforcedAt: null,
          slaDeadline: null,
          liftedAt: null,
          outcome: 'enforced',
          slaMet: true,
          overdue: false,
        },
      ],
      createdAt: '2026-12-01T00:00:00.000Z',
      revokedAt: null,
      revocation: null,
      appeal: null,
      relief: null,
    };
    const [head, line, end] = ordersCsv([order]).split('\r\n');
    expect(head).toBe(
      '\uFEFFreference,juridiction,statut,date_decision,fondement,infraction,recidive,debut,fin,enregistree_le,revoquee_le,plateformes,plateformes_en_retard,id',
    );
    expect(line).toBe(
      'TJ-1,Tribunal judiciaire de Paris,en cours,2026-12-01,condamnation,cyberharassment,non,2026-12-01T00:00:00.000Z,2027-06-01T00:00:00.000Z,2026-12-01T00:00:00.000Z,,"a : en retard ; b : exécutée",1,01900000-0000-7000-8000-000000000000',
    );
    expect(end).toBe('');
  });
});

describe('likeLiteral', () => {
  it('escapes what LIKE would read as a pattern', () => {
    expect(likeLiteral('a%b_c\\d')).toBe('a\\%b\\_c\\\\d');
    expect(likeLiteral('TJ-PARIS 2026/1')).toBe('TJ-PARIS 2026/1');
  });
});
