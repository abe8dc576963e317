import { KeyRingCipher } from './key-ring-cipher';

describe('KeyRingCipher', () => {
  const oldKey = { keyId: 'old', key: Buffer.alloc(32, 7) };
  const newKey = { keyId: 'new', key: Buffer.alloc(32, 9) };

  it('opens what it sealed, and the ciphertext does not contain the plaintext', () => {
    const cipher = new KeyRingCipher([newKey]);
    const sealed = cipher.seal(Buffer.from('7012345678'), 'order-1|tiktok');
    expect(sealed.keyId).toBe('new');
    expect(sealed.data.includes(Buffer.from('7012345678'))).toBe(false);
    expect(cipher.open(sealed, 'order-1|tiktok').toString()).toBe('7012345678');
  });

  it('refuses a ciphertext moved to another row', () => {
    const cipher = new KeyRingCipher([newKey]);
    const sealed = cipher.seal(Buffer.from('x'), 'order-1|tiktok');
    expect(() => cipher.open(sealed, 'order-2|tiktok')).toThrow();
  });

  it('refuses a tampered ciphertext', () => {
    const cipher = new KeyRingCipher([newKey]);
    const sealed = cipher.seal(Buffer.from('abc'), 'a');
    sealed.data[sealed.data.length - 1]! ^= 1;
    expect(() => cipher.open(sealed, 'a')).toThrow();
  });

  it('still opens data sealed under an older key after rotation', () => {
    const sealed = new KeyRingCipher([oldKey]).seal(Buffer.from('abc'), 'a');
    const rotated = new KeyRingCipher([newKey, oldKey]);
    expect(rotated.open(sealed, 'a').toString()).toBe('abc');
    expect(rotated.seal(Buffer.from('abc'), 'a').keyId).toBe('new');
  });

  it('needs a key to seal with, and names a key it does not hold', () => {
    expect(() => new KeyRingCipher([])).toThrow(new Error('a key ring needs at least one key'));
    const sealed = new KeyRingCipher([oldKey]).seal(Buffer.from('abc'), 'a');
    expect(() => new KeyRingCipher([newKey]).open(sealed, 'a')).toThrow(new Error('no key old in the key ring'));
  });

  it('refuses a ciphertext whose tag was cut short (a 4-byte tag is forged in 2^32 tries)', () => {
    const cipher = new KeyRingCipher([newKey]);
    const sealed = cipher.seal(Buffer.alloc(0), 'a');
    // No plaintext: iv (12) and the tag (16); cut to a 4-byte tag, nothing after it.
    expect(sealed.data).toHaveLength(28);
    expect(() => cipher.open({ ...sealed, data: sealed.data.subarray(0, 16) }, 'a')).toThrow(/authentication tag length/i);
  });

  it('seals with AES-256-GCM exactly: the layout is iv ‖ tag ‖ ciphertext', () => {
    const sealed = new KeyRingCipher([newKey]).seal(Buffer.from('abc'), 'row');
    const iv = sealed.data.subarray(0, 12);
    const { createCipheriv } = jest.requireActual<typeof import('node:crypto')>('node:crypto');
    const reference = createCipheriv('aes-256-gcm', newKey.key, iv).setAAD(Buffer.from('row'));
    const ciphertext = Buffer.concat([reference.update(Buffer.from('abc')), reference.final()]);
    expect(sealed.data).toEqual(Buffer.concat([iv, reference.getAuthTag(), ciphertext]));
  });
});
