import type { KeyRingEntry } from '@ostracon/config';
import { voprf } from '@ostracon/platform-sdk';

export interface OprfKey {
  keyId: string;
  secretKey: Uint8Array;
  publicKey: Uint8Array;
  publicKeyHex: string;
}

/** RFC 9497 DeriveKeyPair's info for every key of this service: a configured seed makes one key. */
const KEY_INFO = new TextEncoder().encode('ostracon:v1:oprf');

/**
 * The OPRF keys, from OPRF_KEYS (docs/private-checks.md § Keys): each entry is a 32-byte seed, the
 * key is DeriveKeyPair(seed, "ostracon:v1:oprf"). The first evaluates, fills the sets and is the
 * one platforms are told to use; the others are being retired or introduced by a rotation.
 */
export class OprfKeyRing {
  readonly keys: readonly OprfKey[];
  private readonly byId: Map<string, OprfKey>;

  /** `voprf.loadVoprf()` must have resolved first (OprfKeyRing.load does it). */
  constructor(entries: readonly KeyRingEntry[]) {
    this.keys = entries.map(({ keyId, key }) => {
      const { secretKey, publicKey } = voprf.deriveKeyPair(Uint8Array.from(key), KEY_INFO);
      return { keyId, secretKey, publicKey, publicKeyHex: Buffer.from(publicKey).toString('hex') };
    });
    this.byId = new Map(this.keys.map((k) => [k.keyId, k]));
  }

  static async load(entries: readonly KeyRingEntry[]): Promise<OprfKeyRing> {
    await voprf.loadVoprf();
    return new OprfKeyRing(entries);
  }

  get current(): OprfKey {
    return this.keys[0]!;
  }

  get(keyId: string): OprfKey | undefined {
    return this.byId.get(keyId);
  }
}

export const OPRF_KEY_RING = Symbol('OPRF_KEY_RING');
