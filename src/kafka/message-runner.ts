import { setMaxListeners } from 'node:events';
import { sleep } from '../common/sleep';
import { InMessage } from './kafka.types';
import { HandleResult, ParallelConsumerOptions } from './parallel-consumer.options';
import { Semaphore } from './semaphore';

type RunOptions = Pick<
  ParallelConsumerOptions,
  'concurrency' | 'topicWeights' | 'logger' | 'handle' | 'gateOf' | 'handleAttempts' | 'release'
>;

/** What a MessageRunner reads from, and reports to, the consumer it runs for. */
export interface RunHost {
  stopping(): boolean;
  /** The handler is about to run the message (for the first time here). */
  started(message: InMessage): void;
  /** The message cannot finish here: its offset would stay pinned. */
  giveUp(runKey: string, what: string, error: Error): void;
}

/**
 * Owns the run of one message: its gate, then one of the `concurrency` slots (by topic weight),
 * then the handler with bounded retries, then its `durable` outcome. A message that cannot get
 * a slot because the consumer stops is handed back through `release`.
 */
export class MessageRunner {
  private readonly slots: Semaphore;
  private halted = haltController();

  constructor(
    private readonly options: RunOptions,
    private readonly host: RunHost,
  ) {
    this.slots = new Semaphore(options.concurrency, options.topicWeights);
  }

  /** Runs messages again after `halt` (a new start). */
  resume(): void {
    this.halted = haltController();
  }

  /** Starts nothing more: messages waiting for their gate or a slot are released. */
  halt(): void {
    this.halted.abort(new Error('consumer stopping'));
  }

  /** Resolves true once the message is finished (handled and durable, or released). */
  async run(runKey: string, message: InMessage): Promise<boolean> {
    const gate = this.options.gateOf?.(message) ?? null;
    try {
      // No await without a gate: an extra tick would let a stop slip between dispatch and slot.
      if (gate) await gate.acquire(this.halted.signal, message.topic);
    } catch {
      return this.release(runKey, message);
    }
    try {
      await this.slots.acquire(this.halted.signal, message.topic);
    } catch {
      gate?.release();
      return this.release(runKey, message);
    }
    const free = () => {
      this.slots.release();
      gate?.release();
    };
    if (this.halted.signal.aborted) {
      free();
      return this.release(runKey, message);
    }
    this.host.started(message);
    let durable: Promise<void> | undefined;
    try {
      durable = (await this.handleWithRetries(runKey, message))?.durable;
    } catch (e) {
      this.host.giveUp(runKey, 'message handler kept failing', e as Error);
      return false;
    } finally {
      free();
    }
    try {
      await durable;
      return true;
    } catch (e) {
      this.host.giveUp(runKey, 'message outcome not written', e as Error);
      return false;
    }
  }

  private async handleWithRetries(runKey: string, message: InMessage): Promise<HandleResult> {
    const attempts = this.options.handleAttempts ?? 3;
    for (let attempt = 1; ; attempt++) {
      try {
        // Wrapped, not returned bare: an async function would wait for `durable` itself.
        return await this.options.handle(message);
      } catch (e) {
        if (attempt >= attempts || this.host.stopping()) throw e;
        const retryInMs = 200 * 2 ** (attempt - 1);
        this.options.logger.write('warn', 'message handler threw; retrying', { runKey, attempt, retryInMs, error: (e as Error).message });
        await sleep(retryInMs);
      }
    }
  }

  private async release(runKey: string, message: InMessage): Promise<boolean> {
    if (!this.options.release) return false;
    try {
      await this.options.release(message);
      return true;
    } catch (e) {
      this.options.logger.write('warn', 'could not release a message at stop; it stays uncommitted and is redelivered', {
        runKey,
        error: (e as Error).message,
      });
      return false;
    }
  }
}

/**
 * Aborted when the consumer stops. Every message waiting for a slot listens to it (and stops
 * listening once it has one), so its listeners number up to a fetched batch: not a leak, and no
 * reason for Node's warning at 11.
 */
function haltController(): AbortController {
  const controller = new AbortController();
  setMaxListeners(0, controller.signal);
  return controller;
}
