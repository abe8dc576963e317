import { isSupportedCountry, parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js/max';
import type { InvalidReason, NameDobValue, NormalizeContext, Normalized, SignalType } from './signal-types';

type Result = { ok: true; normalized: string } | { ok: false; reason: InvalidReason };

const ok = (normalized: string): Result => ({ ok: true, normalized });
const fail = (reason: InvalidReason): Result => ({ ok: false, reason });

// Bounds on raw input, so that no input is unbounded work.
export const MAX_EMAIL_LENGTH = 320;
export const MAX_PHONE_LENGTH = 64;
export const MAX_NAME_LENGTH = 200;
export const MAX_DEVICE_LENGTH = 256;

/** docs/signals.md § email. */
export function normalizeEmail(raw: string): Result {
  if (raw.length > MAX_EMAIL_LENGTH) return fail('email_too_long');
  const email = raw.normalize('NFKC').trim().toLowerCase();
  const parts = email.split('@');
  // Clarification (docs/signals.md): white space inside an address is not an address.
  if (parts.length !== 2 || /\s/u.test(email)) return fail('email_format');
  const [local, domain] = parts as [string, string];
  if (local.length === 0) return fail('email_local_part_empty');
  // Clarification: a domain needs a dot and no empty label (`a@.fr`, `a@b..fr`, `a@b.` are refused).
  if (!domain.includes('.') || domain.split('.').some((label) => label.length === 0)) {
    return fail('email_domain_invalid');
  }
  const plus = local.indexOf('+');
  let user = plus === -1 ? local : local.slice(0, plus);
  let host = domain;
  if (host === 'googlemail.com') host = 'gmail.com';
  if (host === 'gmail.com') user = user.replaceAll('.', '');
  // Clarification: `+tag@x.fr` or `...@gmail.com` leave nobody to match.
  if (user.length === 0) return fail('email_local_part_empty');
  return ok(`${user}@${host}`);
}

/** docs/signals.md § phone: libphonenumber's full metadata, valid numbers only, E.164. */
export function normalizePhone(raw: string, country: string | undefined, defaultCountry: string): Result {
  if (raw.length > MAX_PHONE_LENGTH) return fail('phone_not_a_number');
  const region = country ?? defaultCountry;
  if (!isSupportedCountry(region)) return fail('phone_country_invalid');
  const phone = parsePhoneNumberFromString(raw.normalize('NFKC'), {
    defaultCountry: region as CountryCode,
    extract: false,
  });
  if (!phone) return fail('phone_not_a_number');
  if (!phone.isValid()) return fail('phone_invalid');
  return ok(phone.number);
}

// docs/signals.md § name_dob step 1: letters that NFKD does not decompose.
const LETTER_MAP: Record<string, string> = { ß: 'ss', æ: 'ae', œ: 'oe', ø: 'o', đ: 'd', ł: 'l' };

/** docs/signals.md § name_dob steps 1–2 for one name: its tokens, in input order. */
export function nameTokens(name: string): string[] {
  const folded = name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[ßæœøđł]/g, (c) => LETTER_MAP[c] ?? c)
    .replace(/[^a-z]/g, ' ');
  return folded.split(' ').filter((t) => t.length > 0);
}

const DATE_PATTERN = /^(\d{4})-(\d{2})-(\d{2})$/;

/** A real calendar date written YYYY-MM-DD, or undefined. */
export function parseCalendarDate(text: string): { y: number; m: number; d: number } | undefined {
  const match = DATE_PATTERN.exec(text);
  if (!match) return undefined;
  const [y, m, d] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const date = new Date(Date.UTC(y, m - 1, d));
  if (date.getUTCFullYear() !== y || date.getUTCMonth() !== m - 1 || date.getUTCDate() !== d) return undefined;
  return { y, m, d };
}

/** docs/signals.md § name_dob. */
export function normalizeNameDob(value: NameDobValue, today: string): Result {
  if (value.givenName.length > MAX_NAME_LENGTH || value.familyName.length > MAX_NAME_LENGTH) {
    return fail('name_too_long');
  }
  const given = nameTokens(value.givenName);
  const family = nameTokens(value.familyName);
  // Clarification (docs/signals.md): a name with no letter left (empty, digits only, or a
  // script other than Latin) would make everyone born that day match; refused instead.
  if (given.length === 0 || family.length === 0) return fail('name_empty');
  if (!DATE_PATTERN.test(value.birthDate)) return fail('birth_date_format');
  if (!parseCalendarDate(value.birthDate)) return fail('birth_date_not_a_date');
  if (value.birthDate < '1900-01-01') return fail('birth_date_before_1900');
  if (value.birthDate > today) return fail('birth_date_in_future');
  const tokens = [...given, ...family].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return ok(`${tokens.join(' ')}|${value.birthDate.replaceAll('-', '')}`);
}

/** docs/signals.md § device: `<platform>:<id trimmed>`, so a device only ever matches on its own platform. */
export function normalizeDevice(raw: string, platform: string | undefined): Result {
  if (!platform) return fail('device_platform_required');
  const id = raw.trim();
  if (id.length === 0) return fail('device_empty');
  if (id.length > MAX_DEVICE_LENGTH) return fail('device_too_long');
  return ok(`${platform}:${id}`);
}

function isNameDob(value: unknown): value is NameDobValue {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const v = value as Record<string, unknown>;
  return (
    Object.keys(v).every((k) => k === 'givenName' || k === 'familyName' || k === 'birthDate') &&
    typeof v.givenName === 'string' &&
    typeof v.familyName === 'string' &&
    typeof v.birthDate === 'string'
  );
}

/** Normalizes the raw value of one signal of the given type. */
export function normalizeValue(type: SignalType, value: unknown, context: NormalizeContext & { country?: string }): Normalized {
  let result: Result;
  switch (type) {
    case 'email':
      result = typeof value === 'string' ? normalizeEmail(value) : fail('value_wrong_type');
      break;
    case 'phone':
      result = typeof value === 'string' ? normalizePhone(value, context.country, context.defaultCountry) : fail('value_wrong_type');
      break;
    case 'name_dob':
      result = isNameDob(value) ? normalizeNameDob(value, context.today) : fail('value_wrong_type');
      break;
    case 'device':
      result = typeof value === 'string' ? normalizeDevice(value, context.platform) : fail('value_wrong_type');
      break;
  }
  return result.ok ? { ok: true, type, normalized: result.normalized } : result;
}
