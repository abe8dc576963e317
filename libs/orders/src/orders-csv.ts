import type { OrderView } from './orders.schemas';

/**
 * The orders export for the clerk's case file, in French as the clerk reads it: one line per
 * order, its platforms in one cell (`platform : state`), and how many are late (past their deadline
 * unanswered). RFC 4180, CRLF line ends, a BOM so that a spreadsheet reads UTF-8.
 */
const HEAD = [
  'reference',
  'juridiction',
  'statut',
  'date_decision',
  'fondement',
  'infraction',
  'recidive',
  'debut',
  'fin',
  'enregistree_le',
  'revoquee_le',
  'plateformes',
  'plateformes_en_retard',
  'id',
];

const STATUS: Record<OrderView['status'], string> = {
  scheduled: 'programmée',
  active: 'en cours',
  expired: 'expirée',
  revoked: 'révoquée',
  suspended: 'suspendue (appel)',
  relieved: 'relevée',
  quashed: 'infirmée',
};
const PLATFORM_STATUS: Record<OrderView['platforms'][number]['status'], string> = {
  pending: 'en attente',
  delivered: 'transmise',
  enforced: 'exécutée',
  failed: 'en échec',
  lifting: 'levée en cours',
  lifted: 'levée',
};
const LEGAL_BASIS: Record<OrderView['legalBasis'], string> = {
  conviction: 'condamnation',
  pretrial_supervision: 'contrôle judiciaire',
  probation: 'sursis probatoire',
};

/** One cell: quoted when it must be, and defused when a spreadsheet would run it as a formula (OWASP CSV injection). */
export function csvCell(value: string | number | null): string {
  if (value === null) return '';
  const text = typeof value === 'string' && /^[=+\-@\t\r]/.test(value) ? `'${value}` : String(value);
  return /[",;\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function ordersCsv(orders: OrderView[]): string {
  const lines = orders.map((o) =>
    [
      o.courtReference,
      o.court,
      STATUS[o.status],
      o.decisionDate,
      LEGAL_BASIS[o.legalBasis],
      o.offence,
      o.repeatOffender ? 'oui' : 'non',
      o.startsAt,
      o.endsAt,
      o.createdAt,
      o.revokedAt,
      o.platforms.map((p) => `${p.platform} : ${p.overdue ? 'en retard' : PLATFORM_STATUS[p.status]}`).join(' ; '),
      o.platforms.filter((p) => p.overdue).length,
      o.id,
    ]
      .map(csvCell)
      .join(','),
  );
  return `\uFEFF${[HEAD.join(','), ...lines].join('\r\n')}\r\n`;
}
