import { makeEvent, EventType, TaskEvent } from '../events';
import { InMessage } from '../kafka';
import { exhaustedLetter } from './exhausted-letter';

const command: InMessage = {
  topic: 't.commands.normal',
  partition: 1,
  offset: '17',
  key: 'concurrency-key-a',
  value: Buffer.from('{"taskId":"x"}'),
  headers: { 'tenant-id': 'acme' },
  timestamp: '0',
};
const scope = { taskId: '0192d7c1-0000-7000-8000-000000000001', tenantId: 'acme', attempt: 3 };
const failed = (willRetry: boolean, name = 'TypeError', attempt = 3) =>
  makeEvent(
    EventType.FAILED,
    { ...scope, attempt },
    { error: { name, message: 'it broke', retryable: name !== 'NonRetryableError', code: name }, willRetry },
    '2026-11-26T20:00:00.000Z',
  ) as TaskEvent;

describe('exhaustedLetter', () => {
  it('dead-letters the final failure with the error, the attempts, the tenant and the run command as provenance', () => {
    const letter = exhaustedLetter('t.dlq', command, failed(false))!;
    expect(letter.topic).toBe('t.dlq');
    expect(letter.value.toString()).toBe('{"taskId":"x"}');
    expect(letter.headers).toMatchObject({
      'dlq-kind': 'task-exhausted',
      'dlq-reason': 'TypeError: it broke after 3 attempts',
      'dlq-task-id': scope.taskId,
      'tenant-id': 'acme',
      'dlq-attempt': '3',
      'dlq-failed-at': '2026-11-26T20:00:00.000Z',
      'dlq-source-topic': 't.commands.normal',
      'dlq-source-partition': '1',
      'dlq-source-offset': '17',
    });
  });

  it('says "1 attempt" for a NonRetryableError on the first attempt', () => {
    const letter = exhaustedLetter('t.dlq', command, failed(false, 'NonRetryableError', 1))!;
    expect(letter.headers!['dlq-reason']).toBe('NonRetryableError: it broke after 1 attempt');
  });

  it('writes nothing for a failure that will retry, or for any other event', () => {
    expect(exhaustedLetter('t.dlq', command, failed(true))).toBeNull();
    const completed = makeEvent(EventType.COMPLETED, scope, { durationMs: 5 }, '2026-11-26T20:00:00.000Z') as TaskEvent;
    expect(exhaustedLetter('t.dlq', command, completed)).toBeNull();
  });
});
