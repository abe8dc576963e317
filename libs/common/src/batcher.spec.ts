import { Batcher } from './batcher';

describe('Batcher', () => {
  it('answers concurrent calls from one run, each its own answer, in order', async () => {
    const runs: number[][] = [];
    const batcher = new Batcher<number, number>(async (items) => {
      runs.push(items);
      return items.map((i) => i * 10);
    });
    const answers = await Promise.all([1, 2, 3].map((i) => batcher.add(i)));
    expect(answers).toEqual([10, 20, 30]);
    expect(runs).toEqual([[1, 2, 3]]);
  });

  it('gathers what arrives during a run into the next, within the size bound', async () => {
    const runs: number[][] = [];
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const batcher = new Batcher<number, number>(async (items) => {
      runs.push(items);
      if (runs.length === 1) await gate;
      return items;
    }, 2);
    const first = batcher.add(1);
    await new Promise((r) => setImmediate(r));
    const later = [2, 3, 4].map((i) => batcher.add(i));
    release();
    await Promise.all([first, ...later]);
    expect(runs).toEqual([[1], [2, 3], [4]]);
  });

  it('rejects every call of a failed run, and runs again for the next', async () => {
    let fail = true;
    const batcher = new Batcher<number, number>(async (items) => {
      if (fail) throw new Error('down');
      return items;
    });
    await expect(Promise.all([batcher.add(1), batcher.add(2)])).rejects.toThrow('down');
    fail = false;
    await expect(batcher.add(3)).resolves.toBe(3);
  });
});
