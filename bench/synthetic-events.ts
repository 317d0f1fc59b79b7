import { Producer } from 'kafkajs';
import { uuidv7 } from '../src/common/ids';
import { encodeEvent, EventType, makeEvent, TaskEvent } from '../src/events';
import { recordHeaders } from '../src/kafka';

/**
 * Writes `total` events straight to `topic`, 4 per task (enqueued, queued, started, completed),
 * as a worker would have appended them; for the one-off speed figures (export, rebuild).
 */
export async function writeSyntheticEvents(producer: Producer, topic: string, total: number): Promise<void> {
  const at = new Date().toISOString();
  for (let sent = 0; sent < total; ) {
    const batch: { key: string; value: Buffer; headers: Record<string, string> }[] = [];
    while (batch.length < 4000 && sent + batch.length < total) {
      const scope = { taskId: uuidv7(), tenantId: 'default', attempt: 1 };
      const events: TaskEvent[] = [
        makeEvent(
          EventType.ENQUEUED,
          { ...scope, attempt: 0 },
          {
            taskType: 'bench.job',
            payload: { n: sent + batch.length },
            priority: 5,
            maxAttempts: 1,
            backoff: { type: 'exponential', delayMs: 1000 },
          },
          at,
        ) as TaskEvent,
        makeEvent(EventType.QUEUED, scope, { attempt: 1 }, at) as TaskEvent,
        makeEvent(EventType.STARTED, scope, { workerId: 'bench', attempt: 1 }, at) as TaskEvent,
        makeEvent(EventType.COMPLETED, scope, { result: { ok: true }, durationMs: 3 }, at) as TaskEvent,
      ];
      for (const e of events) batch.push({ key: e.taskId, value: encodeEvent(e), headers: recordHeaders(e.type, e.tenantId, e.v) });
    }
    await producer.send({ topic, messages: batch });
    sent += batch.length;
  }
}
