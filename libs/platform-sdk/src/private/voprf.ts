import { createHash, hash, randomBytes } from 'node:crypto';
import { expand_message_xmd } from '@noble/curves/abstract/hash-to-curve.js';
import sodium from 'libsodium-wrappers-sumo';

/**
 * RFC 9497 VOPRF, suite ristretto255-SHA512 (docs/private-checks.md § Construction): both sides,
 * the platform's (blind, verify, unblind) and the service's (evaluate with one DLEQ proof per
 * batch, the stored element, the key rotation factor).
 *
 * Group and scalar arithmetic is libsodium's ristretto255 (WebAssembly, no native code: about 12×
 * the rate of pure JavaScript here, docs/decisions/0008); the hashing is noble's RFC 9380
 * expand_message_xmd. Elements and scalars are the RFC's encodings: 32 bytes, scalars little-endian.
 * The RFC's own test vectors and @noble/curves' independent implementation check every function
 * here (voprf.spec.ts).
 */

export const SUITE = 'ristretto255-SHA512';
export const MODE = 'voprf';
export const ELEMENT_BYTES = 32;
export const SCALAR_BYTES = 32;
export const PROOF_BYTES = 64;
/** Tag of an entry of a platform's private set: T = SHA-256(TAG_PREFIX ‖ N)[0..16]. */
export const TAG_BYTES = 16;
const TAG_PREFIX = Buffer.from('ostracon:v1:private-set', 'utf8');

const ascii = (text: string): Uint8Array => Uint8Array.from(Buffer.from(text, 'latin1'));
// RFC 9497 §3.1: contextString = "OPRFV1-" ‖ I2OSP(mode, 1) ‖ "-" ‖ identifier; mode 0x01 = VOPRF.
const CONTEXT = 'OPRFV1-\x01-ristretto255-SHA512';
const HASH_TO_GROUP_DST = ascii(`HashToGroup-${CONTEXT}`);
const HASH_TO_SCALAR_DST = ascii(`HashToScalar-${CONTEXT}`);
const SEED_DST = ascii(`Seed-${CONTEXT}`);
const DERIVE_KEY_PAIR_DST = ascii(`DeriveKeyPair${CONTEXT}`);
const COMPOSITE = ascii('Composite');

/**
 * SHA-512 from node:crypto, shaped as noble's hash functions are (called, with its output and
 * block lengths), for noble's expand_message_xmd: native hashing is most of HashToGroup's speed.
 */
const sha512 = Object.assign((message: Uint8Array): Uint8Array => new Uint8Array(hash('sha512', message, 'buffer')), {
  outputLen: 64,
  blockLen: 128,
}) as unknown as Parameters<typeof expand_message_xmd>[3] & ((message: Uint8Array) => Uint8Array);
const CHALLENGE = ascii('Challenge');

/** libsodium loads its WebAssembly asynchronously: every function below needs this first. */
export async function loadVoprf(): Promise<void> {
  await sodium.ready;
}

/** I2OSP(len(x), 2) ‖ x, RFC 9497 §1.2's length-prefixed encoding. */
function lengthPrefixed(...parts: Uint8Array[]): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (const part of parts) out.push(i2osp2(part.length), part);
  return out;
}

function i2osp2(n: number): Uint8Array {
  return Uint8Array.of((n >> 8) & 0xff, n & 0xff);
}

function concat(parts: Uint8Array[]): Uint8Array {
  return Uint8Array.from(Buffer.concat(parts));
}

/** RFC 9497 §4.1: HashToGroup, RFC 9380's hash_to_ristretto255 (expand_message_xmd, 64 bytes, one-way map). */
export function hashToGroup(input: Uint8Array): Uint8Array {
  return sodium.crypto_core_ristretto255_from_hash(expand_message_xmd(input, HASH_TO_GROUP_DST, 64, sha512));
}

/** RFC 9497 §4.1: HashToScalar, 64 uniform bytes reduced modulo the group order. */
function hashToScalar(message: Uint8Array, dst: Uint8Array = HASH_TO_SCALAR_DST): Uint8Array {
  return sodium.crypto_core_ristretto255_scalar_reduce(expand_message_xmd(message, dst, 64, sha512));
}

/** A canonical encoding of a group element other than the identity (RFC 9497 §2.1 DeserializeElement). */
export function isValidElement(bytes: Uint8Array): boolean {
  return bytes.length === ELEMENT_BYTES && !isIdentity(bytes) && sodium.crypto_core_ristretto255_is_valid_point(bytes);
}

function isIdentity(bytes: Uint8Array): boolean {
  for (const b of bytes) if (b !== 0) return false;
  return true;
}

/** A canonical scalar (< the group order) other than zero. */
export function isValidScalar(bytes: Uint8Array): boolean {
  if (bytes.length !== SCALAR_BYTES || isIdentity(bytes)) return false;
  return Buffer.from(sodium.crypto_core_ristretto255_scalar_add(bytes, new Uint8Array(SCALAR_BYTES))).equals(bytes);
}

/** scalar·element; throws when the result would be the identity (a zero scalar or element). */
export function multiply(scalar: Uint8Array, element: Uint8Array): Uint8Array {
  return sodium.crypto_scalarmult_ristretto255(scalar, element);
}

export function publicKeyOf(secretKey: Uint8Array): Uint8Array {
  return sodium.crypto_scalarmult_ristretto255_base(secretKey);
}

/**
 * A uniform non-zero scalar: 64 random bytes reduced modulo the group order (the bias is below
 * 2⁻²⁵⁰). From node:crypto, because libsodium's own sampler costs ~0.35 ms a call in WebAssembly,
 * three times a multiplication.
 */
export function randomScalar(): Uint8Array {
  for (;;) {
    const scalar = sodium.crypto_core_ristretto255_scalar_reduce(randomBytes(64));
    if (!isIdentity(scalar)) return scalar;
  }
}

/** RFC 9497 §3.2.1 DeriveKeyPair (deterministic keys for tests and test vectors). */
export function deriveKeyPair(seed: Uint8Array, info: Uint8Array): { secretKey: Uint8Array; publicKey: Uint8Array } {
  for (let counter = 0; counter < 256; counter++) {
    const secretKey = hashToScalar(concat([seed, ...lengthPrefixed(info), Uint8Array.of(counter)]), DERIVE_KEY_PAIR_DST);
    if (!isIdentity(secretKey)) return { secretKey, publicKey: publicKeyOf(secretKey) };
  }
  throw new Error('DeriveKeyPairError');
}

/** The platform's first step: blind·HashToGroup(input). `blind` is only given by test vectors. */
export function blind(input: Uint8Array, fixedBlind?: Uint8Array): { blind: Uint8Array; blindedElement: Uint8Array } {
  const scalar = fixedBlind ?? randomScalar();
  return { blind: scalar, blindedElement: multiply(scalar, hashToGroup(input)) };
}

/** The platform's last step: N = blind⁻¹·evaluated = k·HashToGroup(input). */
export function unblind(blindScalar: Uint8Array, evaluatedElement: Uint8Array): Uint8Array {
  return multiply(sodium.crypto_core_ristretto255_scalar_invert(blindScalar), evaluatedElement);
}

/** The service's element of an input: k·HashToGroup(input), as the platform obtains it by unblinding. */
export function evaluateInput(secretKey: Uint8Array, input: Uint8Array): Uint8Array {
  return multiply(secretKey, hashToGroup(input));
}

/** RFC 9497 §3.3.2 Finalize (the RFC's output; the private set uses `tagOf` instead, see the docs). */
export function finalizeOutput(input: Uint8Array, unblindedElement: Uint8Array): Uint8Array {
  return sha512(concat([...lengthPrefixed(input, unblindedElement), ascii('Finalize')]));
}

/** An entry's tag in a platform's private set (docs/private-checks.md § Tags). */
export function tagOf(element: Uint8Array): Buffer {
  return createHash('sha256').update(TAG_PREFIX).update(element).digest().subarray(0, TAG_BYTES);
}

/** RFC 9497 §2.2.1 ComputeComposites' weights dᵢ, shared by the prover and the verifier. */
function compositeWeights(publicKey: Uint8Array, blinded: readonly Uint8Array[], evaluated: readonly Uint8Array[]): Uint8Array[] {
  const seed = sha512(concat(lengthPrefixed(publicKey, SEED_DST)));
  return blinded.map((c, i) => compositeWeight(seed, i, c, evaluated[i]!));
}

function compositeWeight(seed: Uint8Array, i: number, c: Uint8Array, d: Uint8Array): Uint8Array {
  return hashToScalar(concat([...lengthPrefixed(seed), i2osp2(i), ...lengthPrefixed(c, d), COMPOSITE]));
}

function weightedSum(weights: readonly Uint8Array[], elements: readonly Uint8Array[]): Uint8Array {
  let sum = multiply(weights[0]!, elements[0]!);
  for (let i = 1; i < elements.length; i++) sum = sodium.crypto_core_ristretto255_add(sum, multiply(weights[i]!, elements[i]!));
  return sum;
}

function challenge(publicKey: Uint8Array, m: Uint8Array, z: Uint8Array, t2: Uint8Array, t3: Uint8Array): Uint8Array {
  return hashToScalar(concat([...lengthPrefixed(publicKey, m, z, t2, t3), CHALLENGE]));
}

/**
 * The service's step: evaluated = k·blinded for each element, and one DLEQ proof for the whole
 * batch (RFC 9497 §2.2.1 GenerateProof with ComputeCompositesFast). Every blinded element must
 * have passed `isValidElement`. `proofRandomScalar` is only given by test vectors.
 * Cost: two scalar multiplications an element, plus three.
 */
export function blindEvaluateBatch(
  secretKey: Uint8Array,
  publicKey: Uint8Array,
  blindedElements: readonly Uint8Array[],
  proofRandomScalar?: Uint8Array,
): { evaluatedElements: Uint8Array[]; proof: Uint8Array } {
  const batch = new BatchEvaluation(secretKey, publicKey);
  batch.add(blindedElements);
  return batch.finish(proofRandomScalar);
}

/**
 * `blindEvaluateBatch` in steps, so a server can evaluate a large batch a chunk at a time (letting
 * other work run between chunks) or in several threads: each part `add`s its elements, starting
 * at its `offset` in the batch; `finishBatch` then sums the parts' composites and makes the proof.
 */
export class BatchEvaluation {
  private readonly seed: Uint8Array;
  private readonly evaluated: Uint8Array[] = [];
  private sum: Uint8Array | undefined;

  constructor(
    private readonly secretKey: Uint8Array,
    private readonly publicKey: Uint8Array,
    private readonly offset = 0,
  ) {
    this.seed = sha512(concat(lengthPrefixed(publicKey, SEED_DST)));
  }

  add(blindedElements: readonly Uint8Array[]): void {
    for (const c of blindedElements) {
      const i = this.offset + this.evaluated.length;
      const d = multiply(this.secretKey, c);
      this.evaluated.push(d);
      const weighted = multiply(compositeWeight(this.seed, i, c, d), c);
      this.sum = this.sum ? sodium.crypto_core_ristretto255_add(this.sum, weighted) : weighted;
    }
  }

  /** This part's evaluated elements and its share Σ dᵢ·Cᵢ of the composite M. */
  get part(): { evaluatedElements: Uint8Array[]; composite: Uint8Array } {
    if (!this.sum) throw new Error('nothing to evaluate');
    return { evaluatedElements: this.evaluated, composite: this.sum };
  }

  finish(proofRandomScalar?: Uint8Array): { evaluatedElements: Uint8Array[]; proof: Uint8Array } {
    return {
      evaluatedElements: this.evaluated,
      proof: proveBatch(this.secretKey, this.publicKey, [this.part.composite], proofRandomScalar),
    };
  }
}

/** The batch's DLEQ proof from its parts' composites (RFC 9497 §2.2.1 GenerateProof, ComputeCompositesFast). */
export function proveBatch(
  secretKey: Uint8Array,
  publicKey: Uint8Array,
  composites: readonly Uint8Array[],
  proofRandomScalar?: Uint8Array,
): Uint8Array {
  if (composites.length === 0) throw new Error('nothing to evaluate');
  let m = composites[0]!;
  for (let i = 1; i < composites.length; i++) m = sodium.crypto_core_ristretto255_add(m, composites[i]!);
  const z = multiply(secretKey, m);
  const r = proofRandomScalar ?? randomScalar();
  const t2 = publicKeyOf(r);
  const t3 = multiply(r, m);
  const c = challenge(publicKey, m, z, t2, t3);
  const s = sodium.crypto_core_ristretto255_scalar_sub(r, sodium.crypto_core_ristretto255_scalar_mul(c, secretKey));
  return concat([c, s]);
}

/**
 * The platform's check that every evaluated element is k·blinded for the k behind `publicKey`
 * (RFC 9497 §2.2.2 VerifyProof). False for any malformed or failing proof; never throws on
 * hostile input.
 */
export function verifyBatch(
  publicKey: Uint8Array,
  blindedElements: readonly Uint8Array[],
  evaluatedElements: readonly Uint8Array[],
  proof: Uint8Array,
): boolean {
  if (blindedElements.length === 0 || blindedElements.length !== evaluatedElements.length || proof.length !== PROOF_BYTES) return false;
  if (![publicKey, ...blindedElements, ...evaluatedElements].every(isValidElement)) return false;
  const c = proof.subarray(0, SCALAR_BYTES);
  const s = proof.subarray(SCALAR_BYTES);
  if (!isValidScalar(c) || !isValidScalar(s)) return false;
  try {
    const weights = compositeWeights(publicKey, blindedElements, evaluatedElements);
    const m = weightedSum(weights, blindedElements);
    const z = weightedSum(weights, evaluatedElements);
    const t2 = sodium.crypto_core_ristretto255_add(publicKeyOf(s), multiply(c, publicKey));
    const t3 = sodium.crypto_core_ristretto255_add(multiply(s, m), multiply(c, z));
    return Buffer.from(challenge(publicKey, m, z, t2, t3)).equals(c);
  } catch {
    // An intermediate identity element: no honest proof gets there.
    return false;
  }
}

/** The key rotation factor k'·k⁻¹: maps every stored element E = k·H(x) to E' = k'·H(x). */
export function rotationFactor(oldSecretKey: Uint8Array, newSecretKey: Uint8Array): Uint8Array {
  return sodium.crypto_core_ristretto255_scalar_mul(newSecretKey, sodium.crypto_core_ristretto255_scalar_invert(oldSecretKey));
}
