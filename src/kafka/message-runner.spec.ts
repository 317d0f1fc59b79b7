import { JsonLogger } from '../common/logger';
import { InMessage } from './kafka.types';
import { MessageRunner, RunHost } from './message-runner';
import { HandleResult, ParallelConsumerOptions } from './parallel-consumer.options';

const msg = (offset: number): InMessage =>
  ({ topic: 'cmds', partition: 0, offset: String(offset), key: null, value: Buffer.from(''), headers: {} }) as unknown as InMessage;

function setup(options: Partial<ParallelConsumerOptions> & Pick<ParallelConsumerOptions, 'handle'>, stopping = false) {
  const host = { stopping: () => stopping, started: jest.fn(), giveUp: jest.fn() } satisfies RunHost;
  const runner = new MessageRunner({ concurrency: 1, logger: new JsonLogger('error'), ...options }, host);
  return { runner, host };
}

async function waitUntil(check: () => boolean, ms = 3000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition never held');
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe('MessageRunner', () => {
  it('finishes a handled message, marking it started first', async () => {
    const { runner, host } = setup({ handle: async () => undefined });
    await expect(runner.run('cmds:0:0', msg(0))).resolves.toBe(true);
    expect(host.started).toHaveBeenCalledTimes(1);
  });

  it('tries a throwing handler handleAttempts times, then gives up without finishing', async () => {
    let tries = 0;
    const { runner, host } = setup({
      handleAttempts: 2,
      handle: async () => {
        tries += 1;
        throw new Error('boom');
      },
    });
    await expect(runner.run('cmds:0:0', msg(0))).resolves.toBe(false);
    expect(tries).toBe(2);
    expect(host.giveUp).toHaveBeenCalledWith('cmds:0:0', 'message handler kept failing', expect.any(Error));
  });

  it('frees the slot when the handler returns but finishes only with its durable outcome', async () => {
    let failWrite!: (e: Error) => void;
    const durable = new Promise<void>((_, reject) => (failWrite = reject));
    const { runner, host } = setup({
      handle: async (m): Promise<HandleResult> => (m.offset === '0' ? { durable } : undefined),
    });
    const first = runner.run('cmds:0:0', msg(0));
    await expect(runner.run('cmds:0:1', msg(1))).resolves.toBe(true);
    failWrite(new Error('broker down'));
    await expect(first).resolves.toBe(false);
    expect(host.giveUp).toHaveBeenCalledWith('cmds:0:0', 'message outcome not written', expect.any(Error));
  });

  it('once halted, releases a message waiting for a slot instead of running it', async () => {
    let finishFirst!: () => void;
    const handled: string[] = [];
    const released: string[] = [];
    const { runner } = setup({
      handle: async (m) => {
        handled.push(m.offset);
        await new Promise<void>((r) => (finishFirst = r));
      },
      release: async (m) => void released.push(m.offset),
    });
    const first = runner.run('cmds:0:0', msg(0));
    const waiting = runner.run('cmds:0:1', msg(1));
    await waitUntil(() => handled.length === 1);
    runner.halt();
    await expect(waiting).resolves.toBe(true);
    expect(released).toEqual(['1']);
    finishFirst();
    await expect(first).resolves.toBe(true);
    expect(handled).toEqual(['0']);
    // Halted, nothing starts; resumed, it runs again.
    await expect(runner.run('cmds:0:2', msg(2))).resolves.toBe(true);
    expect(released).toEqual(['1', '2']);
    runner.resume();
    const third = runner.run('cmds:0:3', msg(3));
    await waitUntil(() => handled.length === 2);
    finishFirst();
    await expect(third).resolves.toBe(true);
    expect(handled).toEqual(['0', '3']);
  });

  it('leaves a message that cannot be released unfinished', async () => {
    const { runner } = setup({ handle: async () => undefined });
    runner.halt();
    await expect(runner.run('cmds:0:0', msg(0))).resolves.toBe(false);
  });
});
