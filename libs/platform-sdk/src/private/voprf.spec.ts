import { ristretto255, ristretto255_hasher, ristretto255_oprf } from '@noble/curves/ed25519.js';
import fc from 'fast-check';
// eslint-disable-next-line no-restricted-imports -- the public vectors live in docs/, for every language
import privateVectors from '../../../../docs/vectors/private-check-v1.json';
import { prepareSignal, type SignalInput } from '../signals';
import {
  BatchEvaluation,
  blind,
  blindEvaluateBatch,
  deriveKeyPair,
  evaluateInput,
  finalizeOutput,
  hashToGroup,
  MODE,
  SUITE,
  isValidElement,
  isValidScalar,
  loadVoprf,
  multiply,
  proveBatch,
  publicKeyOf,
  rotationFactor,
  tagOf,
  unblind,
  verifyBatch,
} from './voprf';

const hex = (text: string): Uint8Array => Uint8Array.from(Buffer.from(text, 'hex'));
const toHex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');

// RFC 9497 Appendix A.1.2: ristretto255-SHA512, VOPRF mode.
const RFC = {
  seed: 'a3'.repeat(32),
  keyInfo: '74657374206b6579',
  skSm: 'e6f73f344b79b379f1a0dd37e07ff62e38d9f71345ce62ae3a9bc60b04ccd909',
  pkSm: 'c803e2cc6b05fc15064549b5920659ca4a77b2cca6f04f6b357009335476ad4e',
  vectors: [
    {
      name: 'Test Vector 1, Batch Size 1',
      input: ['00'],
      blind: ['64d37aed22a27f5191de1c1d69fadb899d8862b58eb4220029e036ec4c1f6706'],
      blindedElement: ['863f330cc1a1259ed5a5998a23acfd37fb4351a793a5b3c090b642ddc439b945'],
      evaluationElement: ['aa8fa048764d5623868679402ff6108d2521884fa138cd7f9c7669a9a014267e'],
      proof:
        'ddef93772692e535d1a53903db24367355cc2cc78de93b3be5a8ffcc6985dd066d4346421d17bf5117a2a1ff0fcb2a759f58a539dfbe857a40bce4cf49ec600d',
      proofRandomScalar: '222a5e897cf59db8145db8d16e597e8facb80ae7d4e26d9881aa6f61d645fc0e',
      output: [
        'b58cfbe118e0cb94d79b5fd6a6dafb98764dff49c14e1770b566e42402da1a7da4d8527693914139caee5bd03903af43a491351d23b430948dd50cde10d32b3c',
      ],
    },
    {
      name: 'Test Vector 2, Batch Size 1',
      input: ['5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a'],
      blind: ['64d37aed22a27f5191de1c1d69fadb899d8862b58eb4220029e036ec4c1f6706'],
      blindedElement: ['cc0b2a350101881d8a4cba4c80241d74fb7dcbfde4a61fde2f91443c2bf9ef0c'],
      evaluationElement: ['60a59a57208d48aca71e9e850d22674b611f752bed48b36f7a91b372bd7ad468'],
      proof:
        '401a0da6264f8cf45bb2f5264bc31e109155600babb3cd4e5af7d181a2c9dc0a67154fabf031fd936051dec80b0b6ae29c9503493dde7393b722eafdf5a50b02',
      proofRandomScalar: '222a5e897cf59db8145db8d16e597e8facb80ae7d4e26d9881aa6f61d645fc0e',
      output: [
        '8a9a2f3c7f085b65933594309041fc1898d42d0858e59f90814ae90571a6df60356f4610bf816f27afdd84f47719e480906d27ecd994985890e5f539e7ea74b6',
      ],
    },
    {
      name: 'Test Vector 3, Batch Size 2',
      input: ['00', '5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a'],
      blind: [
        '64d37aed22a27f5191de1c1d69fadb899d8862b58eb4220029e036ec4c1f6706',
        '222a5e897cf59db8145db8d16e597e8facb80ae7d4e26d9881aa6f61d645fc0e',
      ],
      blindedElement: [
        '863f330cc1a1259ed5a5998a23acfd37fb4351a793a5b3c090b642ddc439b945',
        '90a0145ea9da29254c3a56be4fe185465ebb3bf2a1801f7124bbbadac751e654',
      ],
      evaluationElement: [
        'aa8fa048764d5623868679402ff6108d2521884fa138cd7f9c7669a9a014267e',
        'cc5ac221950a49ceaa73c8db41b82c20372a4c8d63e5dded2db920b7eee36a2a',
      ],
      proof:
        'cc203910175d786927eeb44ea847328047892ddf8590e723c37205cb74600b0a5ab5337c8eb4ceae0494c2cf89529dcf94572ed267473d567aeed6ab873dee08',
      proofRandomScalar: '419c4f4f5052c53c45f3da494d2b67b220d02118e0857cdbcf037f9ea84bbe0c',
      output: [
        'b58cfbe118e0cb94d79b5fd6a6dafb98764dff49c14e1770b566e42402da1a7da4d8527693914139caee5bd03903af43a491351d23b430948dd50cde10d32b3c',
        '8a9a2f3c7f085b65933594309041fc1898d42d0858e59f90814ae90571a6df60356f4610bf816f27afdd84f47719e480906d27ecd994985890e5f539e7ea74b6',
      ],
    },
  ],
};

beforeAll(loadVoprf);

describe('RFC 9497 A.1.2 test vectors (ristretto255-SHA512, VOPRF)', () => {
  it('derives the RFC key pair', () => {
    const keys = deriveKeyPair(hex(RFC.seed), hex(RFC.keyInfo));
    expect(toHex(keys.secretKey)).toBe(RFC.skSm);
    expect(toHex(keys.publicKey)).toBe(RFC.pkSm);
  });

  it.each(RFC.vectors.map((v) => [v.name, v] as const))('%s: blind, evaluate with its proof, verify, finalize', (_name, v) => {
    const sk = hex(RFC.skSm);
    const pk = hex(RFC.pkSm);
    const blinded = v.input.map((input, i) => blind(hex(input), hex(v.blind[i]!)));
    expect(blinded.map((b) => toHex(b.blindedElement))).toEqual(v.blindedElement);

    const { evaluatedElements, proof } = blindEvaluateBatch(sk, pk, v.blindedElement.map(hex), hex(v.proofRandomScalar));
    expect(evaluatedElements.map(toHex)).toEqual(v.evaluationElement);
    expect(toHex(proof)).toBe(v.proof);

    expect(verifyBatch(pk, v.blindedElement.map(hex), v.evaluationElement.map(hex), hex(v.proof))).toBe(true);
    const outputs = v.input.map((input, i) => finalizeOutput(hex(input), unblind(hex(v.blind[i]!), hex(v.evaluationElement[i]!))));
    expect(outputs.map(toHex)).toEqual(v.output);
  });
});

describe('agreement with @noble/curves, an independent implementation', () => {
  const { voprf } = ristretto255_oprf;
  const bytes32 = fc.uint8Array({ minLength: 32, maxLength: 32 });

  it('HashToGroup is noble hash_to_ristretto255 under the VOPRF DST', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 80 }), (input) => {
        const noble = ristretto255_hasher.hashToCurve(input, { DST: 'HashToGroup-OPRFV1-\x01-ristretto255-SHA512' }).toBytes();
        expect(toHex(hashToGroup(input))).toBe(toHex(noble));
      }),
      { numRuns: 50 },
    );
  });

  it('noble verifies our batched proofs and finalizes to the same outputs; we verify noble proofs', () => {
    fc.assert(
      fc.property(fc.array(bytes32, { minLength: 1, maxLength: 5 }), bytes32, (inputs, seed) => {
        const keys = voprf.deriveKeyPair(seed, new Uint8Array());
        const ours = inputs.map((x) => blind(x));
        const { evaluatedElements, proof } = blindEvaluateBatch(
          keys.secretKey,
          keys.publicKey,
          ours.map((b) => b.blindedElement),
        );
        const items = inputs.map((input, i) => ({
          input,
          blind: ours[i]!.blind,
          blinded: ours[i]!.blindedElement,
          evaluated: evaluatedElements[i]!,
        }));
        const nobleOutputs = voprf.finalizeBatch(items, keys.publicKey, proof);
        expect(nobleOutputs.map(toHex)).toEqual(items.map((it) => toHex(finalizeOutput(it.input, unblind(it.blind, it.evaluated)))));

        const theirs = voprf.blindEvaluateBatch(
          keys.secretKey,
          keys.publicKey,
          items.map((it) => it.blinded),
        );
        expect(
          verifyBatch(
            keys.publicKey,
            items.map((it) => it.blinded),
            theirs.evaluated,
            theirs.proof,
          ),
        ).toBe(true);
      }),
      { numRuns: 15 },
    );
  });
});

describe('the element and the tag a platform and the service both compute', () => {
  it('unblinding gives k·HashToGroup(x), the element the service stores at intake', () => {
    const { secretKey, publicKey } = deriveKeyPair(new Uint8Array(32).fill(7), new Uint8Array());
    const input = new Uint8Array(32).fill(1);
    const b = blind(input);
    const { evaluatedElements } = blindEvaluateBatch(secretKey, publicKey, [b.blindedElement]);
    expect(toHex(unblind(b.blind, evaluatedElements[0]!))).toBe(toHex(evaluateInput(secretKey, input)));
  });

  it('a rotation factor maps an element under k to the element under k′ without the input', () => {
    const a = deriveKeyPair(new Uint8Array(32).fill(1), new Uint8Array());
    const b = deriveKeyPair(new Uint8Array(32).fill(2), new Uint8Array());
    const input = new Uint8Array(32).fill(9);
    const remapped = multiply(rotationFactor(a.secretKey, b.secretKey), evaluateInput(a.secretKey, input));
    expect(toHex(remapped)).toBe(toHex(evaluateInput(b.secretKey, input)));
  });
});

describe('refusals', () => {
  const keys = () => deriveKeyPair(new Uint8Array(32).fill(3), new Uint8Array());

  it('a proof made with another key does not verify', () => {
    const good = keys();
    const other = deriveKeyPair(new Uint8Array(32).fill(4), new Uint8Array());
    const b = blind(new Uint8Array(32).fill(5));
    const forged = blindEvaluateBatch(other.secretKey, other.publicKey, [b.blindedElement]);
    expect(verifyBatch(good.publicKey, [b.blindedElement], forged.evaluatedElements, forged.proof)).toBe(false);
    // Nor a genuine proof over elements evaluated under another key.
    const genuine = blindEvaluateBatch(good.secretKey, good.publicKey, [b.blindedElement]);
    expect(verifyBatch(good.publicKey, [b.blindedElement], forged.evaluatedElements, genuine.proof)).toBe(false);
    expect(verifyBatch(good.publicKey, [b.blindedElement], genuine.evaluatedElements, genuine.proof)).toBe(true);
  });

  it('a proof over a batch does not cover a reordered or shortened batch', () => {
    const k = keys();
    const bs = [1, 2, 3].map((n) => blind(new Uint8Array(32).fill(n)).blindedElement);
    const { evaluatedElements, proof } = blindEvaluateBatch(k.secretKey, k.publicKey, bs);
    expect(verifyBatch(k.publicKey, bs, [...evaluatedElements].reverse(), proof)).toBe(false);
    expect(verifyBatch(k.publicKey, bs.slice(0, 2), evaluatedElements.slice(0, 2), proof)).toBe(false);
  });

  it('malformed proofs, elements and keys are refused without throwing', () => {
    const k = keys();
    const b = blind(new Uint8Array(32).fill(6)).blindedElement;
    const { evaluatedElements, proof } = blindEvaluateBatch(k.secretKey, k.publicKey, [b]);
    const zero = new Uint8Array(32);
    const cases: [Uint8Array, Uint8Array[], Uint8Array[], Uint8Array][] = [
      [k.publicKey, [b], evaluatedElements, proof.subarray(0, 63)],
      [k.publicKey, [b], evaluatedElements, new Uint8Array(64)],
      [k.publicKey, [b], evaluatedElements, Uint8Array.from([...proof.subarray(0, 32), ...new Uint8Array(32).fill(0xff)])],
      [k.publicKey, [b], [zero], proof],
      [zero, [b], evaluatedElements, proof],
      [k.publicKey, [new Uint8Array(32).fill(0xff)], evaluatedElements, proof],
      [k.publicKey, [], [], proof],
    ];
    for (const [pk, bl, ev, pr] of cases) expect(verifyBatch(pk, bl, ev, pr)).toBe(false);
  });

  it('knows a valid scalar: 32 bytes, canonical (below the group order), not zero', () => {
    expect(isValidScalar(keys().secretKey)).toBe(true);
    expect(isValidScalar(new Uint8Array(32))).toBe(false);
    expect(isValidScalar(new Uint8Array(32).fill(0xff))).toBe(false);
    expect(isValidScalar(keys().secretKey.subarray(0, 31))).toBe(false);
    expect(isValidScalar(Uint8Array.from([...keys().secretKey, 0]))).toBe(false);
  });

  it('refuses a proof whose s is not canonical, though s + the group order gives the same points', () => {
    const k = keys();
    const b = blind(new Uint8Array(32).fill(7)).blindedElement;
    const { evaluatedElements, proof } = blindEvaluateBatch(k.secretKey, k.publicKey, [b]);
    // ℓ = 2^252 + 27742317777372353535851937790883648493, little-endian.
    const order = Buffer.from('edd3f55c1a631258d69cf7a2def9de1400000000000000000000000000000010', 'hex');
    const s = Buffer.from(proof.subarray(32));
    const sPlusOrder = Buffer.alloc(32);
    let carry = 0;
    for (let i = 0; i < 32; i++) {
      const sum = s[i]! + order[i]! + carry;
      sPlusOrder[i] = sum & 0xff;
      carry = sum >> 8;
    }
    expect(verifyBatch(k.publicKey, [b], evaluatedElements, proof)).toBe(true);
    expect(verifyBatch(k.publicKey, [b], evaluatedElements, Uint8Array.from([...proof.subarray(0, 32), ...sPlusOrder]))).toBe(false);
  });

  it('refuses to prove or hand out a part with nothing evaluated', () => {
    const k = keys();
    expect(() => new BatchEvaluation(k.secretKey, k.publicKey).part).toThrow(new Error('nothing to evaluate'));
    expect(() => proveBatch(k.secretKey, k.publicKey, [])).toThrow(new Error('nothing to evaluate'));
  });

  it('names its suite and mode as RFC 9497 does', () => {
    expect([SUITE, MODE]).toEqual(['ristretto255-SHA512', 'voprf']);
  });

  it('knows a valid element: canonical, 32 bytes, not the identity', () => {
    expect(isValidElement(publicKeyOf(keys().secretKey))).toBe(true);
    expect(isValidElement(new Uint8Array(32))).toBe(false);
    expect(isValidElement(new Uint8Array(32).fill(0xff))).toBe(false);
    expect(isValidElement(new Uint8Array(31).fill(1))).toBe(false);
  });
});

describe('docs/vectors/private-check-v1.json, the private check flow for other languages', () => {
  const doc = privateVectors as {
    context: { defaultCountry: string; today: string; platform: string };
    key: { seed: string; keyInfo: string; secretKey: string; publicKey: string };
    proofRandomScalar: string;
    proof: string;
    signals: {
      input: SignalInput;
      prehash: string;
      hashToGroup: string;
      blind: string;
      blindedElement: string;
      evaluatedElement: string;
      element: string;
      tag: string;
    }[];
  };

  it('has one signal of each type', () => {
    expect(doc.signals.map((s) => s.input.type).sort()).toEqual(['device', 'email', 'name_dob', 'phone']);
  });

  it('is what this implementation computes, step by step', () => {
    const keys = deriveKeyPair(hex(doc.key.seed), new TextEncoder().encode(doc.key.keyInfo));
    expect([toHex(keys.secretKey), toHex(keys.publicKey)]).toEqual([doc.key.secretKey, doc.key.publicKey]);
    for (const s of doc.signals) {
      const prepared = prepareSignal(s.input, doc.context);
      expect(prepared).toMatchObject({ ok: true, signal: { prehash: s.prehash } });
      expect(toHex(hashToGroup(hex(s.prehash)))).toBe(s.hashToGroup);
      expect(toHex(blind(hex(s.prehash), hex(s.blind)).blindedElement)).toBe(s.blindedElement);
      expect(toHex(unblind(hex(s.blind), hex(s.evaluatedElement)))).toBe(s.element);
      expect(toHex(evaluateInput(keys.secretKey, hex(s.prehash)))).toBe(s.element);
      expect(toHex(tagOf(hex(s.element)))).toBe(s.tag);
    }
    const batch = blindEvaluateBatch(
      keys.secretKey,
      keys.publicKey,
      doc.signals.map((s) => hex(s.blindedElement)),
      hex(doc.proofRandomScalar),
    );
    expect(batch.evaluatedElements.map(toHex)).toEqual(doc.signals.map((s) => s.evaluatedElement));
    expect(toHex(batch.proof)).toBe(doc.proof);
  });

  it('is what @noble/curves computes: its HashToGroup, multiplication and batch proof check agree', () => {
    const { voprf } = ristretto255_oprf;
    const Point = ristretto255.Point;
    const k = Point.Fn.fromBytes(hex(doc.key.secretKey));
    for (const s of doc.signals) {
      const h = ristretto255_hasher.hashToCurve(hex(s.prehash), { DST: 'HashToGroup-OPRFV1-\x01-ristretto255-SHA512' });
      expect(toHex(h.toBytes())).toBe(s.hashToGroup);
      expect(toHex(h.multiply(k).toBytes())).toBe(s.element);
    }
    const outputs = voprf.finalizeBatch(
      doc.signals.map((s) => ({
        input: hex(s.prehash),
        blind: hex(s.blind),
        blinded: hex(s.blindedElement),
        evaluated: hex(s.evaluatedElement),
      })),
      hex(doc.key.publicKey),
      hex(doc.proof),
    );
    expect(outputs).toHaveLength(doc.signals.length);
  });
});

describe('a batch evaluated in parts (threads), then proved once', () => {
  it('gives the same elements and proof as in one piece', () => {
    const { secretKey, publicKey } = deriveKeyPair(new Uint8Array(32).fill(8), new Uint8Array());
    const blinded = Array.from({ length: 7 }, (_, i) => blind(new Uint8Array(32).fill(i + 1)).blindedElement);
    const r = hex(RFC.vectors[0]!.proofRandomScalar);
    const whole = blindEvaluateBatch(secretKey, publicKey, blinded, r);
    const parts = [0, 3, 5].map((offset, i, all) => {
      const part = new BatchEvaluation(secretKey, publicKey, offset);
      part.add(blinded.slice(offset, all[i + 1]));
      return part.part;
    });
    expect(parts.flatMap((p) => p.evaluatedElements).map(toHex)).toEqual(whole.evaluatedElements.map(toHex));
    expect(
      toHex(
        proveBatch(
          secretKey,
          publicKey,
          parts.map((p) => p.composite),
          r,
        ),
      ),
    ).toBe(toHex(whole.proof));
    // Parts proved with the wrong offsets do not verify: each weight is bound to its place.
    const misplaced = new BatchEvaluation(secretKey, publicKey, 0);
    misplaced.add(blinded.slice(3));
    const wrong = proveBatch(secretKey, publicKey, [parts[0]!.composite, misplaced.part.composite]);
    expect(verifyBatch(publicKey, blinded.slice(0, 3).concat(blinded.slice(3)), whole.evaluatedElements, wrong)).toBe(false);
  });
});
