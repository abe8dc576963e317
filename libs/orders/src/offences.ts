import offenceList from './data/offences.json';
import type { Offence } from './orders.schemas';

export const OFFENCES: readonly Offence[] = offenceList.offences;
const CODES = new Set(OFFENCES.map((o) => o.code));

export function isKnownOffence(code: string): boolean {
  return CODES.has(code);
}
