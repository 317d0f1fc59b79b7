import { Consumer, ConsumerRunConfig } from 'kafkajs';

/**
 * kafkajs restarts a consumer by itself only after retriable errors; after others (e.g. the
 * broker unreachable past its retries) it stays down. This calls `restart` in that case.
 */
export function onFatalCrash(consumer: Consumer, restart: (error: Error) => void): void {
  consumer.on(consumer.events.CRASH, ({ payload }) => {
    if (!payload.restart) restart(payload.error);
  });
}

/** Connects, subscribes from the beginning and runs; a consumer that fails to start is disconnected. */
export async function startConsumer(consumer: Consumer, topics: string[], run: ConsumerRunConfig): Promise<void> {
  try {
    await consumer.connect();
    await consumer.subscribe({ topics, fromBeginning: true });
    await consumer.run(run);
  } catch (e) {
    await consumer.disconnect().catch(() => undefined);
    throw e;
  }
}
