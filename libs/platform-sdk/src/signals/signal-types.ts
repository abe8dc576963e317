export const SIGNAL_TYPES = ['email', 'phone', 'name_dob', 'device'] as const;
export type SignalType = (typeof SIGNAL_TYPES)[number];

/** docs/signals.md: a strong match blocks; a possible match alone asks for review. */
export type SignalStrength = 'strong' | 'possible';

export const SIGNAL_STRENGTH: Record<SignalType, SignalStrength> = {
  email: 'strong',
  phone: 'strong',
  name_dob: 'possible',
  device: 'strong',
};

export interface NameDobValue {
  givenName: string;
  familyName: string;
  birthDate: string;
}

/** One signal as an authority or a platform sends it: a raw `value` or a `hash` (the prehash). */
export interface SignalInput {
  type: SignalType;
  value?: string | NameDobValue;
  hash?: string;
  /** phone only: ISO 3166-1 alpha-2 region for numbers written without a country code. */
  country?: string;
  /** device only, in orders: the platform the device identifier belongs to. */
  platform?: string;
}

/** Stable reasons an input is not a usable signal. Part of the API contract; never the value. */
export const INVALID_REASONS = [
  'value_or_hash_required',
  'value_and_hash_given',
  'value_wrong_type',
  'field_not_allowed',
  'hash_format',
  'email_format',
  'email_local_part_empty',
  'email_domain_invalid',
  'email_too_long',
  'phone_country_invalid',
  'phone_not_a_number',
  'phone_invalid',
  'name_empty',
  'name_too_long',
  'birth_date_format',
  'birth_date_not_a_date',
  'birth_date_in_future',
  'birth_date_before_1900',
  'device_empty',
  'device_too_long',
  'device_platform_required',
] as const;
export type InvalidReason = (typeof INVALID_REASONS)[number];

export type Normalized = { ok: true; type: SignalType; normalized: string } | { ok: false; reason: InvalidReason };

export interface NormalizeContext {
  /** Region used for phone numbers without a country code and without `country` (config, FR). */
  defaultCountry: string;
  /** Today's date, YYYY-MM-DD: birth dates after it are refused. */
  today: string;
  /** The platform a device identifier belongs to (the caller on a sign-up check). */
  platform?: string;
}
