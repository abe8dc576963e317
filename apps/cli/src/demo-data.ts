import type { CreateOrganisationInput } from '@ostracon/auth';
import type { CreateOrderInput } from '@ostracon/orders';
import type { CreatePlatformInput } from '@ostracon/platforms';

export const DEMO_PLATFORMS: CreatePlatformInput[] = [
  { id: 'tiktok', name: 'TikTok', slaHours: 48 },
  { id: 'instagram', name: 'Instagram', slaHours: 48 },
  { id: 'x', name: 'X' },
];

/** The demo organisations: people sign in for them; the first authority's key submits the demo orders. */
export const DEMO_ORGANISATIONS = {
  paris: { name: 'Demo parquet de Paris', role: 'authority' },
  lyon: { name: 'Demo parquet de Lyon', role: 'authority' },
  cnil: { name: 'Demo CNIL', role: 'auditor' },
  operator: { name: 'Demo operator', role: 'admin' },
  tiktok: { name: 'Demo TikTok trust & safety', role: 'platform', platform: 'tiktok' },
} as const satisfies Record<string, CreateOrganisationInput>;

/**
 * The demo people, who sign in with the local provider (`npm start`: any password) by typing
 * their e-mail; the second Paris clerk shows that an order belongs to its parquet, the Lyon clerk
 * that it belongs to no other.
 */
export const DEMO_PEOPLE: { email: string; organisation: keyof typeof DEMO_ORGANISATIONS }[] = [
  { email: 'clerk@parquet-paris.example.fr', organisation: 'paris' },
  { email: 'deputy@parquet-paris.example.fr', organisation: 'paris' },
  { email: 'clerk@parquet-lyon.example.fr', organisation: 'lyon' },
  { email: 'inspector@cnil.example.fr', organisation: 'cnil' },
  { email: 'operator@ostracon.example.fr', organisation: 'operator' },
];

const day = 86_400_000;
const date = (d: Date) => d.toISOString().slice(0, 10);

/** Fictional people: example.fr addresses and made-up numbers. */
export function demoOrders(now: Date): CreateOrderInput[] {
  const decided = new Date(now.getTime() - 3 * day);
  return [
    {
      courtReference: 'DEMO-TJ-PARIS-2026-0001',
      court: 'Tribunal judiciaire de Paris',
      decisionDate: date(decided),
      legalBasis: 'conviction',
      offence: 'cyberharassment',
      repeatOffender: false,
      durationDays: 180,
      subject: {
        signals: [
          { type: 'email', value: 'demo.person.one@example.fr' },
          { type: 'phone', value: '06 12 34 56 01', country: 'FR' },
          { type: 'name_dob', value: { givenName: 'Camille', familyName: 'Exemple', birthDate: '1994-03-12' } },
        ],
      },
      platforms: [
        { platform: 'tiktok', accounts: [{ accountId: '700000000001', handle: '@demo_one' }] },
        { platform: 'instagram', accounts: [{ accountId: '17840000000001', handle: '@demo.one' }] },
      ],
    },
    {
      courtReference: 'DEMO-TJ-LYON-2026-0002',
      court: 'Tribunal judiciaire de Lyon',
      decisionDate: date(decided),
      legalBasis: 'conviction',
      offence: 'hate_speech',
      repeatOffender: true,
      startsAt: new Date(now.getTime() + 7 * day).toISOString(),
      durationDays: 365,
      subject: { signals: [{ type: 'email', value: 'demo.person.two@example.fr' }] },
      platforms: [{ platform: 'x', accounts: [{ accountId: '1400000000000000002', handle: '@demo_two' }] }],
    },
    {
      courtReference: 'DEMO-CJ-MARSEILLE-2026-0003',
      court: 'Tribunal judiciaire de Marseille (juge des libertés et de la détention)',
      decisionDate: date(decided),
      legalBasis: 'pretrial_supervision',
      offence: 'doxxing',
      repeatOffender: false,
      durationDays: 90,
      subject: { signals: [{ type: 'phone', value: '+33 6 12 34 56 03' }] },
      platforms: [{ platform: 'tiktok', accounts: [{ accountId: '700000000003' }] }],
    },
  ];
}
