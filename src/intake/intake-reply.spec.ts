import { KafkaResponseDeserializer } from '@nestjs/microservices/deserializers/kafka-response.deserializer';
import { KafkaParser } from '@nestjs/microservices/helpers/kafka-parser';
import { InMessage, ReplyMessage } from '../kafka';
import { replyAddressOf, replyRecord } from './intake-reply';

const request = (headers: Record<string, string>): InMessage => ({
  topic: 'tasklog.requests',
  partition: 0,
  offset: '3',
  key: null,
  value: Buffer.from('{"type":"t"}'),
  headers,
  timestamp: '0',
});

/** What ClientKafka's reply consumer makes of a record: its own parser, then its own deserializer. */
const asNestClientReads = (r: ReplyMessage) => {
  const headers = Object.fromEntries(Object.entries(r.headers).map(([k, v]) => [k, Buffer.from(v)]));
  const parsed = new KafkaParser().parse({ value: r.value, key: null, headers } as never);
  return new KafkaResponseDeserializer().deserialize(parsed as never);
};

describe('answering a ClientKafka.send', () => {
  const sent = { kafka_correlationId: 'c-1', kafka_replyTopic: 'tasklog.requests.reply', kafka_replyPartition: '2' };

  it('finds the reply address in the headers ClientKafka.send writes', () => {
    expect(replyAddressOf(request(sent))).toEqual({ correlationId: 'c-1', topic: 'tasklog.requests.reply', partition: 2 });
    expect(replyAddressOf(request({ ...sent, kafka_replyPartition: 'x' }))?.partition).toBeUndefined();
  });

  it('treats a record without a correlation id or reply topic as a plain request', () => {
    expect(replyAddressOf(request({}))).toBeNull();
    expect(replyAddressOf(request({ kafka_correlationId: 'c-1' }))).toBeNull();
    expect(replyAddressOf(request({ kafka_replyTopic: 'tasklog.requests.reply' }))).toBeNull();
  });

  it('writes a reply the client resolves with once and completes', () => {
    const to = replyAddressOf(request(sent))!;
    const record = replyRecord(to, { reply: { taskId: 't-1', status: 'queued' } });
    expect(record).toMatchObject({ topic: 'tasklog.requests.reply', partition: 2 });
    expect(asNestClientReads(record)).toEqual({ id: 'c-1', response: { taskId: 't-1', status: 'queued' }, isDisposed: true });
  });

  it('writes a refusal the client throws as an error object with the reason', () => {
    const to = replyAddressOf(request(sent))!;
    const error = { status: 'error' as const, code: 'INVALID_INPUT', message: 'invalid task request: priority' };
    expect(asNestClientReads(replyRecord(to, { error }))).toEqual({ id: 'c-1', err: error, isDisposed: true });
  });
});
