import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

export interface KeyRingKey {
  keyId: string;
  key: Buffer;
}

export interface Sealed {
  keyId: string;
  /** iv (12) ‖ tag (16) ‖ ciphertext */
  data: Buffer;
}

/**
 * AES-256-GCM under a key ring: seals with the first key, opens with the key the data names,
 * so keys rotate by putting a new one first and keeping the old ones until re-encryption.
 * The AAD binds a ciphertext to its row, so it cannot be moved to another one.
 */
const TAG_BYTES = 16;

export class KeyRingCipher {
  private readonly byId: Map<string, Buffer>;

  constructor(private readonly keys: KeyRingKey[]) {
    if (keys.length === 0) throw new Error('a key ring needs at least one key');
    this.byId = new Map(keys.map((k) => [k.keyId, k.key]));
  }

  seal(plaintext: Buffer, aad: string): Sealed {
    const { keyId, key } = this.keys[0]!;
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', key, iv);
    cipher.setAAD(Buffer.from(aad, 'utf8'));
    const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
    return { keyId, data: Buffer.concat([iv, cipher.getAuthTag(), ciphertext]) };
  }

  open(sealed: Sealed, aad: string): Buffer {
    const key = this.byId.get(sealed.keyId);
    if (!key) throw new Error(`no key ${sealed.keyId} in the key ring`);
    // The tag length is fixed: GCM would otherwise take a tag cut to 4 bytes, far easier to forge.
    const decipher = createDecipheriv('aes-256-gcm', key, sealed.data.subarray(0, 12), { authTagLength: TAG_BYTES });
    decipher.setAAD(Buffer.from(aad, 'utf8'));
    decipher.setAuthTag(sealed.data.subarray(12, 12 + TAG_BYTES));
    return Buffer.concat([decipher.update(sealed.data.subarray(12 + TAG_BYTES)), decipher.final()]);
  }
}
