import { randomBytes } from 'node:crypto';
import { voprf } from '@ostracon/platform-sdk';
import { EvaluationPool, InvalidElementsError } from './evaluation-pool';
import { unpack } from './evaluation-thread';

/**
 * The evaluation threads' hand-off (docs/decisions/0029): each part's elements go packed in one
 * transferred buffer and come back the same way, and the threads check the elements themselves.
 */
describe('EvaluationPool', () => {
  let pool: EvaluationPool;
  let secretKey: Uint8Array;
  let publicKey: Uint8Array;

  beforeAll(async () => {
    await voprf.loadVoprf();
    ({ secretKey, publicKey } = voprf.deriveKeyPair(randomBytes(32), Buffer.from('evaluation pool spec')));
    pool = new EvaluationPool(2);
  });
  afterAll(() => pool.close());

  const blindedBatch = (n: number) => Array.from({ length: n }, () => voprf.blind(randomBytes(32)).blindedElement);

  it('answers what one thread evaluating the whole batch would, in order, with one proof that verifies', async () => {
    const blinded = blindedBatch(41);
    const parts = await pool.evaluate(secretKey, publicKey, blinded);
    expect(parts).toHaveLength(2);
    const evaluated = parts.flatMap((p) => unpack(p.evaluatedElements));
    const alone = voprf.blindEvaluateBatch(secretKey, publicKey, blinded);
    expect(evaluated.map((e) => Buffer.from(e).toString('hex'))).toEqual(
      alone.evaluatedElements.map((e) => Buffer.from(e).toString('hex')),
    );
    const proof = voprf.proveBatch(
      secretKey,
      publicKey,
      parts.map((p) => p.composite),
    );
    expect(voprf.verifyBatch(publicKey, blinded, evaluated, proof)).toBe(true);
    // The caller's elements are its own still: only copies were handed over.
    expect(blinded.every((e) => e.length === voprf.ELEMENT_BYTES && voprf.isValidElement(e))).toBe(true);
  });

  it('names every invalid element of the batch, in whichever part it is, and evaluates the next batch as usual', async () => {
    const blinded = blindedBatch(40);
    blinded[3] = new Uint8Array(32); // the identity's encoding
    blinded[35] = Uint8Array.from(Buffer.from('ff'.repeat(32), 'hex')); // not canonical
    blinded[36] = new Uint8Array(31); // not even an element's length
    const refused = await pool.evaluate(secretKey, publicKey, blinded).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(InvalidElementsError);
    expect((refused as InvalidElementsError).indexes).toEqual([3, 35, 36]);
    const next = blindedBatch(33);
    const parts = await pool.evaluate(secretKey, publicKey, next);
    expect(parts.reduce((n, p) => n + p.evaluatedElements.length / voprf.ELEMENT_BYTES, 0)).toBe(33);
  });
});
