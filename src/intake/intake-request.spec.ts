import { TasklogError } from '../common/errors';
import { InMessage } from '../kafka/kafka.types';
import { readIntakeRequest } from './intake-request';

const msg = (value: string | null, key: string | null = null, headers: Record<string, string> = {}): InMessage => ({
  topic: 'tasklog.requests',
  partition: 0,
  offset: '7',
  key,
  value: value === null ? null : Buffer.from(value),
  headers,
  timestamp: '0',
});

describe('reading a task request from the requests topic', () => {
  it('takes type, payload and options; the tenant from its header', () => {
    const r = readIntakeRequest(msg('{"type":"report.build","payload":{"m":1},"priority":8}', null, { 'tenant-id': 'acme' }));
    expect(r).toEqual({ type: 'report.build', payload: { m: 1 }, options: { priority: 8, tenantId: 'acme' } });
  });

  it('uses the record key as the idempotency key unless the body gives one', () => {
    expect(readIntakeRequest(msg('{"type":"t"}', 'order-42')).options).toMatchObject({ idempotencyKey: 'order-42', tenantId: 'default' });
    expect(readIntakeRequest(msg('{"type":"t","idempotencyKey":"own"}', 'order-42')).options.idempotencyKey).toBe('own');
  });

  it('uses the correlation id of a keyless ClientKafka.send, so a redelivered send enqueues once', () => {
    const sent = { kafka_correlationId: 'c-1', kafka_replyTopic: 'tasklog.requests.reply' };
    expect(readIntakeRequest(msg('{"type":"t"}', null, sent)).options.idempotencyKey).toBe('c-1');
    expect(readIntakeRequest(msg('{"type":"t"}', 'order-42', sent)).options.idempotencyKey).toBe('order-42');
    expect(readIntakeRequest(msg('{"type":"t"}', null, { kafka_correlationId: 'c-1' })).options.idempotencyKey).toBeUndefined();
  });

  it.each([
    [null, /empty value/],
    ['not json', /not JSON/],
    ['[1,2]', /expected a JSON object/],
    ['{"type":"t","tenantId":"other"}', /tenant comes from the tenant-id header/],
  ])('refuses %s with a reason', (value, reason) => {
    expect(() => readIntakeRequest(msg(value))).toThrow(TasklogError);
    expect(() => readIntakeRequest(msg(value))).toThrow(reason);
  });
});
