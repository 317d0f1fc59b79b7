import { InstanceSlot } from './instance-slot';

describe('InstanceSlot', () => {
  it('gives live holders different slots and hands a released slot to the next claimant', async () => {
    const name = `spec-${process.pid}-${Date.now()}`;
    const a = await InstanceSlot.claim(name);
    const b = await InstanceSlot.claim(name);
    expect([a.slot, b.slot]).toEqual([0, 1]);
    a.release();
    await new Promise((r) => setImmediate(r));
    const c = await InstanceSlot.claim(name);
    expect(c.slot).toBe(0);
    b.release();
    c.release();
  });
});
