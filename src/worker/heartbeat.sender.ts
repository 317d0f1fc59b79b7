import { withDeadline } from '../common/deadline';
import { JsonLogger } from '../common/logger';
import { encodeHeartbeat, WorkerHeartbeat } from '../events';
import { CompactedWriter, KafkaClient } from '../kafka';

const TOMBSTONE_WAIT_MS = 3000;

export interface HeartbeatSenderOptions {
  kafka: KafkaClient;
  /** The compacted `<prefix>.workers` topic. */
  topic: string;
  workerId: string;
  intervalMs: number;
  logger: JsonLogger;
  /** The worker as it is now; read at each beat. */
  snapshot: () => WorkerHeartbeat;
}

/**
 * Announces a worker on the workers topic (key: worker id) at once and then every interval, so
 * any API replica can list it; on stop, a tombstone removes it at once. A beat that fails is
 * logged once per outage and tried again at the next interval.
 */
export class HeartbeatSender {
  private readonly writer: CompactedWriter;
  private timer: NodeJS.Timeout | null = null;
  private beating: Promise<void> | null = null;
  private failing = false;

  constructor(private readonly options: HeartbeatSenderOptions) {
    this.writer = new CompactedWriter(options.kafka, options.topic);
  }

  start(): void {
    this.beat();
    this.timer = setInterval(() => this.beat(), this.options.intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    // Bounded: with Kafka away, shutdown must not wait out the producer's retries.
    const tombstone = (async () => {
      await this.beating;
      await this.writer.remove(this.options.workerId);
    })();
    tombstone.catch(() => undefined);
    await withDeadline(tombstone, TOMBSTONE_WAIT_MS, 'Kafka').catch((e: Error) =>
      this.options.logger.write('warn', 'worker tombstone not written; the worker drops out once its heartbeats are missed', { err: e }),
    );
    await this.writer.close();
  }

  private beat(): void {
    // A slow broker must not pile up beats; the next interval tries again.
    if (this.beating) return;
    const o = this.options;
    this.beating = this.writer
      .put(o.workerId, encodeHeartbeat(o.snapshot()))
      .then(
        () => {
          if (this.failing) o.logger.write('info', 'worker heartbeat written again', {});
          this.failing = false;
        },
        (e: Error) => {
          if (!this.failing) o.logger.write('warn', 'worker heartbeat not written; retrying each interval', { err: e });
          this.failing = true;
        },
      )
      .finally(() => (this.beating = null));
  }
}
