export {
  SIGNAL_TYPES,
  SIGNAL_STRENGTH,
  INVALID_REASONS,
  type SignalType,
  type SignalStrength,
  type SignalInput,
  type NameDobValue,
  type InvalidReason,
  type Normalized,
  type NormalizeContext,
} from './signal-types';
export {
  normalizeEmail,
  normalizePhone,
  normalizeNameDob,
  normalizeDevice,
  normalizeValue,
  nameTokens,
  parseCalendarDate,
  MAX_EMAIL_LENGTH,
  MAX_PHONE_LENGTH,
  MAX_NAME_LENGTH,
  MAX_DEVICE_LENGTH,
} from './normalize';
export { prehash, PREHASH_PATTERN } from './prehash';
export { prepareSignal, type PreparedSignal, type PrepareResult } from './prepare';
