import { isCleanText } from '@ostracon/common';
import { SIGNAL_TYPES, type SignalInput, isHexPrehash } from '@ostracon/identity';
import { SIGNUP_LIMITS } from './signup-checks.schemas';

type Checks = { ref?: string; signals: SignalInput[] }[];

const TYPES: ReadonlySet<string> = new Set(SIGNAL_TYPES);

/**
 * The sign-up schemas (signup-checks.schemas.ts) for the shape that carries the load, without
 * zod: every signal prehashed (`{ type, hash }`, 64 hex digits). Returns the checks exactly as
 * `signupCheckSchema` / `signupBatchSchema` would, or undefined when the body is anything else, to
 * be parsed (and its errors reported) by zod. It accepts nothing zod refuses: the property test
 * (signup-fast-parse.spec.ts) holds the two together on generated bodies, valid and not.
 * About a quarter of a prehashed batch's time went to zod (docs/screening.md).
 */
export function fastSignupChecks(body: unknown, batch: boolean): Checks | undefined {
  if (!isPlainObject(body)) return undefined;
  if (!batch) return onlyKeys(body, 'signals', undefined) && signalsOk(body.signals) ? [body as Checks[number]] : undefined;
  if (!onlyKeys(body, 'checks', undefined)) return undefined;
  const checks = body.checks;
  if (!Array.isArray(checks) || checks.length < 1 || checks.length > SIGNUP_LIMITS.checksPerBatch) return undefined;
  for (const check of checks) {
    if (!isPlainObject(check) || !onlyKeys(check, 'ref', 'signals')) return undefined;
    const ref = check.ref;
    if (typeof ref !== 'string' || ref.length < 1 || ref.length > 100 || !isCleanText(ref) || !signalsOk(check.signals)) return undefined;
  }
  return checks as Checks;
}

function signalsOk(signals: unknown): boolean {
  if (!Array.isArray(signals) || signals.length < 1 || signals.length > SIGNUP_LIMITS.signalsPerCheck) return false;
  for (const signal of signals) {
    if (!isPlainObject(signal) || !onlyKeys(signal, 'type', 'hash')) return false;
    const { type, hash } = signal;
    if (typeof type !== 'string' || !TYPES.has(type) || typeof hash !== 'string' || !isHexPrehash(hash)) return false;
  }
  return true;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && Object.getPrototypeOf(value) === Object.prototype;
}

/** The object has exactly these own keys (the second optional only when undefined is given). */
function onlyKeys(value: Record<string, unknown>, a: string, b: string | undefined): boolean {
  let n = 0;
  for (const key in value) {
    if (key !== a && key !== b) return false;
    n++;
  }
  return n === (b === undefined ? 1 : 2);
}
