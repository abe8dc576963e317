import { type FormEvent } from 'react';
import { type ComplianceReport, client, ok } from '../api';
import { Field } from '../field';
import { format, messages as t } from '../i18n';
import { navigate } from '../router';
import { Loaded, Table, useLoad } from '../ui';

export type ComplianceRow = ComplianceReport['items'][number];

const SERIES = [
  { key: 'enforcedInTime', colour: 'var(--background-flat-success)' },
  { key: 'late', colour: 'var(--background-flat-error)' },
  { key: 'rejected', colour: 'var(--background-flat-grey)' },
  { key: 'pending', colour: 'var(--background-flat-info)' },
] as const;

const lateOf = (r: ComplianceRow) => r.enforcedLate + r.unansweredLate;
const valueOf = (r: ComplianceRow, key: (typeof SERIES)[number]['key']) => (key === 'late' ? lateOf(r) : r[key]);
const hours = (seconds: number | null) => (seconds === null ? '—' : (seconds / 3600).toLocaleString('fr-FR', { maximumFractionDigits: 1 }));

/** The table as CSV (RFC 4180), for a spreadsheet. */
export function toCsv(rows: ComplianceRow[]): string {
  const head = [
    'platform',
    'month',
    'delivered',
    'enforced_in_time',
    'enforced_late',
    'unanswered_late',
    'rejected',
    'pending',
    'median_seconds',
    'p90_seconds',
  ];
  // A cell a spreadsheet would run as a formula (= + - @) is prefixed with ' (OWASP CSV injection).
  const quote = (v: string | number | null) => {
    if (v === null) return '';
    const text = typeof v === 'string' && /^[=+\-@\t\r]/.test(v) ? `'${v}` : String(v);
    return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
  };
  return [
    head.join(','),
    ...rows.map((r) =>
      [
        r.platform,
        r.month,
        r.delivered,
        r.enforcedInTime,
        r.enforcedLate,
        r.unansweredLate,
        r.rejected,
        r.pending,
        r.medianSecondsToEnforce,
        r.p90SecondsToEnforce,
      ]
        .map(quote)
        .join(','),
    ),
  ].join('\r\n');
}

/** Stacked bars, one per platform and month; the table beside it carries the same figures for everyone. */
function Chart({ rows }: { rows: ComplianceRow[] }) {
  const max = Math.max(1, ...rows.map((r) => r.delivered));
  const bar = 28;
  const gap = 14;
  const height = 220;
  const width = Math.max(320, rows.length * (bar + gap) + 40);
  return (
    <svg
      role="img"
      aria-labelledby="chart-title"
      width={width}
      height={height + 60}
      viewBox={`0 0 ${width} ${height + 60}`}
      data-testid="compliance-chart"
    >
      <title id="chart-title">{t.compliance.chartTitle}</title>
      {rows.map((r, i) => {
        let y = height;
        const x = 30 + i * (bar + gap);
        return (
          <g key={`${r.platform}-${r.month}`} data-row={`${r.platform} ${r.month}`}>
            {SERIES.map((s) => {
              const v = valueOf(r, s.key);
              const h = (v / max) * (height - 10);
              y -= h;
              return v > 0 ? (
                <rect key={s.key} x={x} y={y} width={bar} height={h} fill={s.colour} data-series={s.key} data-value={v}>
                  <title>{`${r.platform} ${r.month} — ${t.compliance.series[s.key]} : ${v}`}</title>
                </rect>
              ) : null;
            })}
            <text x={x + bar / 2} y={height + 14} textAnchor="middle" fontSize="11">
              {r.month}
            </text>
            <text x={x + bar / 2} y={height + 28} textAnchor="middle" fontSize="10">
              {r.platform.slice(0, 10)}
            </text>
          </g>
        );
      })}
      <line x1="25" y1={height} x2={width} y2={height} stroke="currentColor" />
    </svg>
  );
}

/** Enforcement compliance per platform and month (GET /v1/reports/compliance): chart, table, CSV. */
export function CompliancePage({ query }: { query: URLSearchParams }) {
  const params = { from: query.get('from') || undefined, to: query.get('to') || undefined };
  const report = useLoad(() => ok(client.GET('/v1/reports/compliance', { params: { query: params } })), [params.from, params.to]);
  const filter = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    navigate('/reports/compliance', { from: String(form.get('from') ?? ''), to: String(form.get('to') ?? '') });
  };
  const download = () => {
    const blob = new Blob([`\uFEFF${toCsv(report.value?.items ?? [])}`], { type: 'text/csv;charset=utf-8' });
    const link = document.createElement('a');
    link.href = URL.createObjectURL(blob);
    link.download = `conformite-${report.value?.from}-${report.value?.to}.csv`;
    link.click();
    URL.revokeObjectURL(link.href);
  };
  return (
    <>
      <h1>{t.compliance.title}</h1>
      <p>{t.compliance.intro}</p>
      <form className="fr-grid-row fr-grid-row--gutters fr-grid-row--bottom fr-mb-3w" onSubmit={filter} aria-label={t.common.filter}>
        <Field
          className="fr-col-6 fr-col-md-3"
          id="report-from"
          label={t.compliance.from}
          type="month"
          name="from"
          defaultValue={report.value?.from ?? query.get('from') ?? ''}
        />
        <Field
          className="fr-col-6 fr-col-md-3"
          id="report-to"
          label={t.compliance.to}
          type="month"
          name="to"
          defaultValue={report.value?.to ?? query.get('to') ?? ''}
        />
        <div className="fr-col-12 fr-col-md-2">
          <button className="fr-btn" type="submit">
            {t.common.filter}
          </button>
        </div>
      </form>
      <Loaded state={report} empty={t.compliance.empty} isEmpty={(r) => r.items.length === 0}>
        {({ from, to, items: rows }) => (
          <div className="fr-grid-row fr-grid-row--gutters">
            <div className="fr-col-12 fr-col-lg-5">
              {/* Scrolls sideways when the months outgrow the column: reachable by keyboard. */}
              <div style={{ overflowX: 'auto' }} tabIndex={0} aria-label={t.compliance.chartTitle}>
                <Chart rows={rows} />
              </div>
              <ul className="fr-text--sm" aria-label={t.compliance.legend}>
                {SERIES.map((s) => (
                  <li key={s.key}>
                    <span
                      aria-hidden="true"
                      style={{ display: 'inline-block', width: 12, height: 12, background: s.colour, marginRight: 6 }}
                    />
                    {t.compliance.series[s.key]}
                  </li>
                ))}
              </ul>
              <button
                className="fr-btn fr-btn--secondary fr-icon-download-line fr-btn--icon-left"
                type="button"
                onClick={download}
                data-testid="csv"
              >
                {t.compliance.csv}
              </button>
            </div>
            <div className="fr-col-12 fr-col-lg-7">
              <Table testId="compliance-table" caption={format(t.compliance.caption, { from, to })}>
                <thead>
                  <tr>
                    <th scope="col">{t.compliance.platform}</th>
                    <th scope="col">{t.compliance.month}</th>
                    <th scope="col">{t.compliance.delivered}</th>
                    <th scope="col">{t.compliance.series.enforcedInTime}</th>
                    <th scope="col">{t.compliance.series.late}</th>
                    <th scope="col">{t.compliance.series.rejected}</th>
                    <th scope="col">{t.compliance.median}</th>
                    <th scope="col">{t.compliance.p90}</th>
                  </tr>
                </thead>
                <tbody>
                  {rows.map((r) => (
                    <tr key={`${r.platform}-${r.month}`}>
                      <td>{r.platform}</td>
                      <td>{r.month}</td>
                      <td>{r.delivered}</td>
                      <td>{r.enforcedInTime}</td>
                      <td>{lateOf(r)}</td>
                      <td>{r.rejected}</td>
                      <td>{hours(r.medianSecondsToEnforce)}</td>
                      <td>{hours(r.p90SecondsToEnforce)}</td>
                    </tr>
                  ))}
                </tbody>
              </Table>
            </div>
          </div>
        )}
      </Loaded>
    </>
  );
}
