import { BatchQueue } from './batch-queue';

describe('BatchQueue', () => {
  it('puts callers that arrive during a flush into one shared next batch', async () => {
    const batches: number[][] = [];
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const q = new BatchQueue<number>(async (items) => {
      batches.push(items);
      if (batches.length === 1) await gate;
    }, 100);
    const first = q.push([1]);
    await new Promise((r) => setImmediate(r));
    const rest = [q.push([2]), q.push([3]), q.push([4, 5])];
    release();
    await Promise.all([first, ...rest]);
    expect(batches).toEqual([[1], [2, 3, 4, 5]]);
  });

  it('rejects only the callers of the batch that failed', async () => {
    let calls = 0;
    const q = new BatchQueue<string>(async () => {
      calls += 1;
      if (calls === 1) throw new Error('broker down');
    }, 1);
    const a = q.push(['a']);
    const b = q.push(['b']);
    await expect(a).rejects.toThrow('broker down');
    await expect(b).resolves.toBeUndefined();
  });

  it('never puts more than maxBatch items in one flush', async () => {
    const sizes: number[] = [];
    const q = new BatchQueue<number>(async (items) => void sizes.push(items.length), 3);
    await q.push([1, 2, 3, 4, 5, 6, 7]);
    expect(sizes).toEqual([3, 3, 1]);
  });

  it('caps a batch by bytes, and still sends an item bigger than the cap alone', async () => {
    const batches: number[][] = [];
    const q = new BatchQueue<number>(async (items) => void batches.push(items), 100, { sizeOf: (n) => n, max: () => 10 });
    await Promise.all([q.push([4]), q.push([4]), q.push([4]), q.push([30]), q.push([1])]);
    expect(batches).toEqual([[4, 4], [4], [30], [1]]);
  });
});
