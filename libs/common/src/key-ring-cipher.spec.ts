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
});
