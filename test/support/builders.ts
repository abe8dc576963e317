import { randomBytes } from 'node:crypto';

const DAY = 86_400_000;

export const isoDate = (d: Date) => d.toISOString().slice(0, 10);
export const daysFrom = (d: Date, days: number) => new Date(d.getTime() + days * DAY);

/** Raw identity values used by the tests; the privacy tests look for each of them everywhere. */
export const RAW = {
  email: 'Jeanne.Testeuse+ban@Example.fr',
  emailNormalizedLocal: 'jeanne.testeuse',
  phone: '06 12 34 56 78',
  phoneE164: '+33612345678',
  givenName: 'Jeanne-Éloïse',
  familyName: 'Testeuse',
  birthDate: '1991-04-17',
  accountId: 'acct-7012345678',
  handle: '@jeanne_harceleuse',
};

export function uniqueReference(prefix = 'TJ-TEST'): string {
  return `${prefix}-${randomBytes(6).toString('hex').toUpperCase()}`;
}

/** A valid order for `platform`, decided three days before `now`; override any field. */
export function orderBody(platform: string, now = new Date(), overrides: Record<string, unknown> = {}) {
  return {
    courtReference: uniqueReference(),
    court: 'Tribunal judiciaire de Paris',
    decisionDate: isoDate(daysFrom(now, -3)),
    legalBasis: 'conviction',
    offence: 'cyberharassment',
    repeatOffender: false,
    durationDays: 180,
    subject: {
      signals: [
        { type: 'email', value: RAW.email },
        { type: 'phone', value: RAW.phone, country: 'FR' },
        { type: 'name_dob', value: { givenName: RAW.givenName, familyName: RAW.familyName, birthDate: RAW.birthDate } },
      ],
    },
    platforms: [{ platform, accounts: [{ accountId: RAW.accountId, handle: RAW.handle }] }],
    ...overrides,
  };
}

export function idempotencyKey(): string {
  return `test-${randomBytes(8).toString('hex')}`;
}
