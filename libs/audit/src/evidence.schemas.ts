import { EVIDENCE_FORMAT } from '@ostracon/platform-sdk/transparency';
import { z } from 'zod';

/** GET /v1/orders/{id}/evidence/{matchId}?format= */
export const evidenceQuerySchema = z.strictObject({
  format: z.enum(['json', 'pdf']).default('json').describe('`json` (the bundle, which verifies) or `pdf` (its rendering for a case file)'),
});

const hex = z.string().regex(/^[0-9a-f]{64}$/);
const provenEvent = z.object({
  seq: z.number().int().describe('the event’s number in the log'),
  index: z.number().int().describe('its leaf index, seq − 1'),
  leaf: z.string().describe('the leaf’s bytes: the RFC 8785 canonical JSON of the event, as hashed into the tree'),
  leafHash: hex.describe('SHA-256(0x00 ‖ leaf), hex'),
  proof: z.array(hex).describe('RFC 9162 inclusion proof to the checkpoint’s root, hex'),
});

/** The evidence file (docs/auditing.md § Evidence file); the SDK's verifyEvidence checks it. */
export const evidenceBundleSchema = z.object({
  format: z.literal(EVIDENCE_FORMAT),
  orderId: z.string(),
  matchId: z.string(),
  events: z.object({
    order: provenEvent.describe('`order.created`: the order’s terms as logged'),
    match: provenEvent.describe('`signup.matched`: the attempt'),
    confirmation: provenEvent.describe('`signup_match.reviewed` with outcome `confirmed`: the platform’s confirmation'),
  }),
  checkpoint: z.object({
    origin: z.string(),
    size: z.number().int(),
    rootHash: hex,
    note: z.string().describe('the C2SP checkpoint note: text, blank line, the log’s signature, each witness’s cosignature'),
    log: z.object({ keyId: z.string(), verifierKey: z.string() }),
    witnesses: z.array(z.object({ name: z.string(), keyId: z.string(), verifierKey: z.string() })),
  }),
});
