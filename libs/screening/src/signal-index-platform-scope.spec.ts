import { createHash, randomUUID } from 'node:crypto';
import { type IndexMatch, SignalIndex } from './signal-index';

const digest = (label: string) => createHash('sha256').update(label).digest();
const DAY = 86_400_000;
const NOW = Date.UTC(2026, 11, 7);

function find(index: SignalIndex, label: string, platform: string): IndexMatch[] {
  const out: IndexMatch[] = [];
  index.lookup('k1', digest(label), platform, NOW, out);
  return out;
}

/** A linked account's signals (decision 0026) match on the platform that reported them only. */
describe('SignalIndex: a signal scoped to one platform of its order', () => {
  it('matches the scoped signal on its platform only, and the order’s own signals on all of them, after growth too', () => {
    const index = new SignalIndex();
    const id = randomUUID();
    const order = { id, startsAt: NOW - DAY, endsAt: NOW + DAY, platforms: ['tiktok', 'instagram'] };
    index.upsert(order, [
      { type: 'email', keyId: 'k1', digest: digest('own') },
      { type: 'email', keyId: 'k1', digest: digest('linked'), platforms: ['tiktok'] },
    ]);
    // Enough other orders for the arrays and tables to grow and be rehashed under the scoped entry.
    for (let i = 0; i < 3000; i++) {
      index.upsert({ ...order, id: randomUUID() }, [{ type: 'email', keyId: 'k1', digest: digest(`other-${i}`) }]);
    }
    expect(find(index, 'own', 'tiktok').map((m) => m.orderId)).toEqual([id]);
    expect(find(index, 'own', 'instagram').map((m) => m.orderId)).toEqual([id]);
    expect(find(index, 'linked', 'tiktok')).toEqual([{ orderId: id, type: 'email', strength: 'strong', endsAt: NOW + DAY }]);
    expect(find(index, 'linked', 'instagram')).toEqual([]);
    expect(find(index, 'other-7', 'instagram')).toHaveLength(1);
  });
});
