import { type FormEvent } from 'react';
import { type ComplianceReport, client, ok } from '../api';
import { Field } from '../field';
import { format, formatMonth, messages as t } from '../i18n';
import { navigate } from '../router';
import { Loaded, Table, useLoad } from '../ui';
import { signalsText } from './attempts';
import '../inspect.css';

export type ComplianceRow = ComplianceReport['items'][number];
export type ReviewRow = ComplianceReport['reviews'][number];

const SERIES = [
  { key: 'enforcedInTime', colour: 'var(--background-flat-success)' },
  { key: 'late', colour: 'var(--background-flat-error)' },
  { key: 'rejected', colour: 'var(--background-flat-grey)' },
  { key: 'pending', colour: 'var(--background-flat-info)' },
] as const;

const lateOf = (r: ComplianceRow) => r.enforcedLate + r.unansweredLate;
const valueOf = (r: ComplianceRow, key: (typeof SERIES)[number]['key']) => (key === 'late' ? lateOf(r) : r[key]);
/**
 * A time to enforce as an inspector reads it: "45 s", "12 min", "3 h 20", "2 j 4 h" — never "0"
 * for a confirmation within minutes (the report carries seconds).
 */
export function duration(seconds: number | null): string {
  if (seconds === null) return '—';
  const s = Math.round(seconds);
  if (s < 60) return format(t.compliance.units.seconds, { n: s });
  const minutes = Math.round(s / 60);
  if (minutes < 60) return format(t.compliance.units.minutes, { n: minutes });
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return format(t.compliance.units.hours, { h: hours, m: String(minutes % 60).padStart(2, '0') });
  return format(t.compliance.units.days, { d: Math.floor(hours / 24), h: hours % 24 });
}
const nameOf = (r: ComplianceRow) => r.platformName ?? r.platform;

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

/** Round steps for the y axis: 1, 2, 5 × 10^n, about five of them. */
function ticks(max: number): number[] {
  const raw = max / 5;
  const power = 10 ** Math.floor(Math.log10(Math.max(1, raw)));
  const step = [1, 2, 5, 10].map((m) => m * power).find((v) => v >= raw) ?? power * 10;
  const top = Math.max(step, Math.ceil(max / step) * step);
  return Array.from({ length: top / step + 1 }, (_, i) => i * step);
}

/**
 * Stacked bars, one per platform and month, on a y axis of counts and an x axis of months; the
 * table under it carries the same figures for everyone (the chart is an image with a title).
 */
function Chart({ rows }: { rows: ComplianceRow[] }) {
  const scale = ticks(Math.max(1, ...rows.map((r) => r.delivered)));
  const top = scale.at(-1)!;
  const bar = 28;
  const gap = 18;
  const height = 220;
  const left = 56;
  const width = Math.max(320, left + rows.length * (bar + gap) + 20);
  const yOf = (v: number) => height - (v / top) * (height - 10);
  return (
    <svg
      role="img"
      aria-labelledby="chart-title"
      width={width}
      height={height + 76}
      viewBox={`0 0 ${width} ${height + 76}`}
      data-testid="compliance-chart"
    >
      <title id="chart-title">{t.compliance.chartTitle}</title>
      <g data-testid="y-axis" fontSize="11">
        {scale.map((v) => (
          <g key={v}>
            <line x1={left - 4} y1={yOf(v)} x2={width} y2={yOf(v)} stroke="var(--border-default-grey)" />
            <text x={left - 8} y={yOf(v) + 4} textAnchor="end" fill="currentColor">
              {v}
            </text>
          </g>
        ))}
        <line x1={left} y1={yOf(top)} x2={left} y2={height} stroke="currentColor" />
        <text transform={`translate(14 ${height / 2}) rotate(-90)`} textAnchor="middle" fill="currentColor" data-testid="y-label">
          {t.compliance.yAxis}
        </text>
      </g>
      {rows.map((r, i) => {
        let y = height;
        const x = left + 12 + i * (bar + gap);
        return (
          <g key={`${r.platform}-${r.month}`} data-row={`${r.platform} ${r.month}`}>
            {SERIES.map((s) => {
              const v = valueOf(r, s.key);
              const h = (v / top) * (height - 10);
              y -= h;
              return v > 0 ? (
                <rect key={s.key} x={x} y={y} width={bar} height={h} fill={s.colour} data-series={s.key} data-value={v}>
                  <title>{`${nameOf(r)} ${r.month} — ${t.compliance.series[s.key]} : ${v}`}</title>
                </rect>
              ) : null;
            })}
            <text x={x + bar / 2} y={height + 14} textAnchor="middle" fontSize="11" fill="currentColor">
              {r.month}
            </text>
            <text x={x + bar / 2} y={height + 28} textAnchor="middle" fontSize="10" fill="currentColor">
              {nameOf(r).slice(0, 12)}
            </text>
          </g>
        );
      })}
      <line x1={left} y1={height} x2={width} y2={height} stroke="currentColor" />
      <text x={left + (width - left) / 2} y={height + 62} textAnchor="middle" fontSize="12" fill="currentColor" data-testid="x-label">
        {t.compliance.xAxis}
      </text>
    </svg>
  );
}

/**
 * How platforms answered the matches of the same months, per platform, signal types and decision
 * (issue 30): how often a name and a birth date matched someone else, from data.
 */
function ReviewFigures({ from, to, rows }: { from: string; to: string; rows: ReviewRow[] }) {
  return (
    <section className="fr-mt-6w" aria-labelledby="reviews-title">
      <h2 id="reviews-title">{t.attempts.reviewsTitle}</h2>
      <p>{t.attempts.reviewsIntro}</p>
      {rows.length === 0 ? (
        <p data-testid="reviews-empty">{t.attempts.reviewsEmpty}</p>
      ) : (
        <>
          <Table testId="review-figures" caption={format(t.attempts.reviewsCaption, { from: formatMonth(from), to: formatMonth(to) })}>
            <thead>
              <tr>
                <th scope="col">{t.compliance.platform}</th>
                <th scope="col">{t.attempts.signals}</th>
                <th scope="col">{t.attempts.decision}</th>
                <th scope="col">{t.attempts.matches}</th>
                <th scope="col">{t.attempts.columns.confirmed}</th>
                <th scope="col">{t.attempts.columns.notSamePerson}</th>
                <th scope="col">{t.attempts.columns.unknown}</th>
                <th scope="col">{t.attempts.columns.unanswered}</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((r) => (
                <tr key={`${r.platform}-${r.signalTypes}-${r.decision}`} data-platform={r.platform} data-signals={r.signalTypes}>
                  <th scope="row" className="fr-cell--multiline">
                    {r.platformName}
                  </th>
                  <td>{signalsText(r.signalTypes.split('+'))}</td>
                  <td>{t.attempts.decisions[r.decision] ?? r.decision}</td>
                  <td>{r.matches}</td>
                  <td>{r.confirmed}</td>
                  <td>{r.notSamePerson}</td>
                  <td>{r.unknown}</td>
                  <td>{r.unanswered}</td>
                </tr>
              ))}
            </tbody>
          </Table>
          <p className="fr-text--sm">{t.attempts.reviewsSum}</p>
        </>
      )}
    </section>
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
          <>
            {/* Scrolls sideways when the months outgrow the page: reachable by keyboard. */}
            <div className="ost-chart" tabIndex={0} role="group" aria-label={t.compliance.chartTitle}>
              <Chart rows={rows} />
            </div>
            <ul className="fr-text--sm ost-legend" aria-label={t.compliance.legend}>
              {SERIES.map((s) => (
                <li key={s.key}>
                  <span aria-hidden="true" className="ost-swatch" style={{ background: s.colour }} />
                  {t.compliance.series[s.key]}
                </li>
              ))}
            </ul>
            <Table testId="compliance-table" caption={format(t.compliance.caption, { from, to })}>
              <thead>
                <tr>
                  <th scope="col" className="fr-col--md">
                    {t.compliance.platform}
                  </th>
                  <th scope="col">{t.compliance.month}</th>
                  <th scope="col" className="fr-col--xs">
                    {t.compliance.delivered}
                  </th>
                  <th scope="col" className="fr-col--sm">
                    {t.compliance.columns.enforcedInTime}
                  </th>
                  <th scope="col" className="fr-col--sm">
                    {t.compliance.columns.late}
                  </th>
                  <th scope="col" className="fr-col--sm">
                    {t.compliance.columns.rejected}
                  </th>
                  <th scope="col" className="fr-col--sm">
                    {t.compliance.columns.pending}
                  </th>
                  <th scope="col" className="fr-col--sm">
                    {t.compliance.median}
                  </th>
                  <th scope="col" className="fr-col--sm">
                    {t.compliance.p90}
                  </th>
                </tr>
              </thead>
              <tbody>
                {rows.map((r) => (
                  <tr key={`${r.platform}-${r.month}`} data-platform={r.platform}>
                    <th scope="row" className="fr-cell--multiline">
                      {nameOf(r)}
                    </th>
                    <td className="ost-nowrap">{r.month}</td>
                    <td>{r.delivered}</td>
                    <td>{r.enforcedInTime}</td>
                    <td>{lateOf(r)}</td>
                    <td>{r.rejected}</td>
                    <td>{r.pending}</td>
                    <td className="ost-nowrap">{duration(r.medianSecondsToEnforce)}</td>
                    <td className="ost-nowrap">{duration(r.p90SecondsToEnforce)}</td>
                  </tr>
                ))}
              </tbody>
            </Table>
            <p className="fr-text--sm">{t.compliance.sums}</p>
            <button
              className="fr-btn fr-btn--secondary fr-icon-download-line fr-btn--icon-left"
              type="button"
              onClick={download}
              data-testid="csv"
            >
              {t.compliance.csv}
            </button>
          </>
        )}
      </Loaded>
      {report.value && <ReviewFigures from={report.value.from} to={report.value.to} rows={report.value.reviews} />}
    </>
  );
}
