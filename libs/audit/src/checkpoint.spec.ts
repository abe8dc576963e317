import { generateKeyPairSync, sign } from 'node:crypto';
import { rawEd25519 } from '@ostracon/platform-sdk/transparency';
import { eventView } from './audit-leaf';
import { checkpointMessage, ed25519Key, verifyCheckpoint } from './checkpoint';

describe('JSON checkpoints', () => {
  it('signs the RFC 8785 canonical JSON of size, root and time, and nothing else', () => {
    const message = checkpointMessage({ timestamp: '2026-12-02T12:00:00.000Z', size: 12, rootHash: 'ab'.repeat(32), keyId: 'k1' } as never);
    expect(message.toString('utf8')).toBe(`{"rootHash":"${'ab'.repeat(32)}","size":12,"timestamp":"2026-12-02T12:00:00.000Z"}`);
  });

  it('makes the Ed25519 key of a 32-byte seed (RFC 8032 § 7.1, test 1)', () => {
    const seed = Buffer.from('9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60', 'hex');
    const { privateKey, publicKey } = ed25519Key(seed);
    expect(rawEd25519(publicKey).toString('hex')).toBe('d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a');
    expect(sign(null, Buffer.alloc(0), privateKey).toString('hex')).toBe(
      'e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b',
    );
  });

  it('verifies a checkpoint under its key only, and says no (not throws) for a key of another kind', () => {
    const { privateKey, publicKey } = ed25519Key(Buffer.alloc(32, 1));
    const unsigned = { size: 3, rootHash: '00'.repeat(32), timestamp: '2026-12-02T12:00:00.000Z' };
    const checkpoint = { ...unsigned, keyId: 'k1', signature: sign(null, checkpointMessage(unsigned), privateKey).toString('base64') };
    expect(verifyCheckpoint(checkpoint, publicKey)).toBe(true);
    expect(verifyCheckpoint({ ...checkpoint, size: 4 }, publicKey)).toBe(false);
    expect(verifyCheckpoint(checkpoint, ed25519Key(Buffer.alloc(32, 2)).publicKey)).toBe(false);
    expect(verifyCheckpoint(checkpoint, generateKeyPairSync('x25519').publicKey)).toBe(false);
  });
});

describe('eventView', () => {
  it('gives the event as the API and the leaf see it, naming the order and platform only when it has them', () => {
    const row = {
      seq: '7',
      at: new Date('2026-12-02T12:00:00Z'),
      type: 'directive.confirmed',
      actor: 'platform:x',
      order_id: 'o1',
      platform_id: 'x',
      data: { a: 1 },
    };
    expect(eventView(row)).toEqual({
      seq: 7,
      at: '2026-12-02T12:00:00.000Z',
      type: 'directive.confirmed',
      actor: 'platform:x',
      orderId: 'o1',
      platform: 'x',
      data: { a: 1 },
    });
    expect(Object.keys(eventView({ ...row, order_id: null, platform_id: null }))).toEqual(['seq', 'at', 'type', 'actor', 'data']);
  });
});
