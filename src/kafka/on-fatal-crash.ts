import { Consumer } from 'kafkajs';

/**
 * kafkajs restarts a consumer by itself only after retriable errors; after others (e.g. the
 * broker unreachable past its retries) it stays down. This calls `restart` in that case.
 */
export function onFatalCrash(consumer: Consumer, restart: (error: Error) => void): void {
  consumer.on(consumer.events.CRASH, ({ payload }) => {
    if (!payload.restart) restart(payload.error);
  });
}
