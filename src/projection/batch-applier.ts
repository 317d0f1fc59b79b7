import { JsonLogger } from '../common/logger';
import { findUnstorable } from '../common/storable';
import { decodeEvent, decodeRunCommand, originEvents, TaskEvent } from '../events';
import { deadLetter, DeadLetterKind, Header, InMessage, OutMessage } from '../kafka';
import { isDatabaseUnavailable } from './database-errors';
import { PositionedEvent, ProjectionStore } from './projection.store';

export interface BatchApplierOptions {
  projection: string;
  dlqTopic: string;
  logger: JsonLogger;
  /** Attempts for an error that is not "Postgres is unreachable" before the batch is split. */
  maxFailures?: number;
}

/** Where refused events go: the live DLQ (OrderedPublisher), or nowhere for a rebuild, which marks the task only. */
export interface DeadLetterSink {
  publish(messages: OutMessage[]): Promise<void>;
}

/** Checked between attempts: false once the consumer stops or the partition moves away. */
export type StillOwned = () => boolean;

/** The batch was given up because the partition is no longer ours; nothing was resolved. */
export class BatchAbandoned extends Error {}

interface Item {
  offset: number;
  message: InMessage;
  event: TaskEvent | null;
  /** Why the item cannot be projected, when known before trying. */
  refused: string | null;
}

/**
 * Applies one partition's batch so that no event can stall the partition. Postgres being
 * down is waited out (Kafka keeps everything). Any other error is retried a few times, then
 * the batch is applied one event at a time; an event that still fails goes to the DLQ with
 * the reason, its task gets a visible `projection_error`, and the partition moves on.
 */
export class BatchApplier {
  private readonly maxFailures: number;

  constructor(
    private readonly store: ProjectionStore,
    private readonly dlq: DeadLetterSink,
    private readonly options: BatchApplierOptions,
  ) {
    this.maxFailures = options.maxFailures ?? 3;
  }

  async apply(
    topic: string,
    partition: number,
    messages: InMessage[],
    nextOffset: number,
    owned: StillOwned,
    heartbeat: () => Promise<void>,
  ): Promise<void> {
    const items = messages.map((m) => this.decode(m));
    const garbage = items.filter((i) => !i.event && i.refused).map((i) => this.letter(i, i.refused!));
    if (garbage.length) await this.untilDone(() => this.dlq.publish(garbage), owned, heartbeat, Infinity);

    const events = items.filter((i) => i.event && !i.refused).map((i) => positioned(i));
    const allGood = items.every((i) => !i.refused || !i.event);
    if (allGood) {
      const ok = await this.untilDone(
        () => this.store.applyBatch(this.options.projection, topic, partition, events, nextOffset),
        owned,
        heartbeat,
        this.maxFailures,
      ).then(
        () => true,
        (e) => {
          if (e instanceof BatchAbandoned) throw e;
          this.options.logger.write('warn', 'projection batch keeps failing; applying its events one by one', {
            partition,
            error: (e as Error).message,
          });
          return false;
        },
      );
      if (ok) return;
    }
    for (const item of items) {
      if (!item.event) continue;
      const { event } = item;
      let reason = item.refused;
      if (!reason) {
        try {
          await this.untilDone(
            () => this.store.applyBatch(this.options.projection, topic, partition, [positioned(item)], item.offset + 1),
            owned,
            heartbeat,
            this.maxFailures,
          );
          continue;
        } catch (e) {
          if (e instanceof BatchAbandoned) throw e;
          reason = `Postgres refused the event: ${(e as Error).message}`;
        }
      }
      const why = reason;
      await this.untilDone(() => this.dlq.publish([this.letter(item, why)]), owned, heartbeat, Infinity);
      await this.untilDone(
        () => this.store.markRejected(this.options.projection, topic, partition, { event, offset: item.offset, reason: why }),
        owned,
        heartbeat,
        Infinity,
      );
    }
    // Move the checkpoint past trailing garbage too.
    await this.untilDone(
      () => this.store.applyBatch(this.options.projection, topic, partition, [], nextOffset),
      owned,
      heartbeat,
      Infinity,
    );
  }

  /**
   * A command lane's batch: the enqueues it carries (ADR 0009) show their tasks as queued at
   * once, state only. Nothing here is dead-lettered: a lane record the projector cannot use
   * is the worker's to dead-letter, and an enqueue Postgres refuses is projected (or refused,
   * with its reason) from the events topic once a worker has appended it there.
   */
  async applyPreview(
    topic: string,
    partition: number,
    messages: InMessage[],
    nextOffset: number,
    owned: StillOwned,
    heartbeat: () => Promise<void>,
  ): Promise<void> {
    const events = messages.flatMap((m) => {
      try {
        const carried = originEvents(decodeRunCommand(m.value));
        return carried.some((e) => findUnstorable(e, 'event')) ? [] : carried.map((event) => ({ event, offset: Number(m.offset) }));
      } catch {
        return [];
      }
    });
    const { projection, logger } = this.options;
    await this.untilDone(
      () => this.store.applyBatch(projection, topic, partition, events, nextOffset, false),
      owned,
      heartbeat,
      this.maxFailures,
    ).catch(async (e) => {
      if (e instanceof BatchAbandoned) throw e;
      logger.write('warn', 'lane preview refused; those tasks show once a worker takes them', {
        topic,
        partition,
        error: (e as Error).message,
      });
      await this.untilDone(() => this.store.applyBatch(projection, topic, partition, [], nextOffset, false), owned, heartbeat, Infinity);
    });
  }

  private decode(message: InMessage): Item {
    const offset = Number(message.offset);
    try {
      const event = decodeEvent(message.value);
      const bad = findUnstorable(event, 'event');
      return { offset, message, event, refused: bad ? `${bad.path} ${bad.problem}` : null };
    } catch (e) {
      return { offset, message, event: null, refused: (e as Error).message };
    }
  }

  private letter(item: Item, reason: string): OutMessage {
    const { message, event } = item;
    this.options.logger.write('warn', 'event sent to the DLQ', {
      topic: message.topic,
      partition: message.partition,
      offset: message.offset,
      reason,
    });
    return deadLetter(this.options.dlqTopic, message, {
      kind: DeadLetterKind.POISON,
      reason,
      taskId: event?.taskId,
      tenantId: event?.tenantId,
      attempt: event?.attempt,
    });
  }

  /**
   * Runs `fn` until it succeeds. "Postgres/Kafka unreachable" never counts as a failure (we wait);
   * anything else throws after `maxFailures`. Throws BatchAbandoned once the partition is not ours.
   */
  private async untilDone<T>(fn: () => Promise<T>, owned: StillOwned, heartbeat: () => Promise<void>, maxFailures: number): Promise<T> {
    let failures = 0;
    for (let delay = 200; ; delay = Math.min(delay * 2, 5000)) {
      if (!owned()) throw new BatchAbandoned('partition no longer owned');
      try {
        return await fn();
      } catch (e) {
        const transient = isDatabaseUnavailable(e) || (e as { code?: string }).code === 'BROKER_UNAVAILABLE';
        if (!transient && ++failures >= maxFailures) throw e;
        this.options.logger.write('warn', 'projection write failed; retrying', {
          error: (e as Error).message,
          retryInMs: delay,
          transient,
        });
        await new Promise((r) => setTimeout(r, delay));
        await heartbeat().catch(() => undefined);
      }
    }
  }
}

function positioned(item: Item): PositionedEvent {
  return { event: item.event!, offset: item.offset, traceparent: item.message.headers[Header.TRACEPARENT] };
}
