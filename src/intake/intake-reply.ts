import { KafkaHeaders } from '@nestjs/microservices/enums/kafka-headers.enum';
import { InMessage, ReplyMessage } from '../kafka';

/** Where a request-reply caller (Nest `ClientKafka.send`) waits for its answer. */
export interface ReplyAddress {
  correlationId: string;
  topic: string;
  partition?: number;
}

/** What `ClientKafka.send` resolves with for an accepted request. */
export interface IntakeReply {
  taskId: string;
  status: string;
}

/** What it fails with for a refused one (the reason is the dead letter's `dlq-reason`). */
export interface IntakeReplyError {
  status: 'error';
  code: string;
  message: string;
}

/**
 * The reply address of a record written by `ClientKafka.send`, or null for a plain request
 * (`emit`, kcat, ...). Like Nest's ServerKafka, a record is a request only with both a
 * correlation id and a reply topic; the reply partition is optional.
 */
export function replyAddressOf(m: InMessage): ReplyAddress | null {
  const correlationId = m.headers[KafkaHeaders.CORRELATION_ID];
  const topic = m.headers[KafkaHeaders.REPLY_TOPIC];
  if (!correlationId || !topic) return null;
  const partition = Number.parseInt(m.headers[KafkaHeaders.REPLY_PARTITION] ?? '', 10);
  return { correlationId, topic, partition: Number.isInteger(partition) && partition >= 0 ? partition : undefined };
}

/**
 * The record Nest's ClientKafka reads as the whole answer: the correlation id, the JSON value,
 * and `kafka_nest-is-disposed` (the observable completes after one value); an error goes in
 * `kafka_nest-err` as JSON, which the client's observable throws as an object.
 */
export function replyRecord(to: ReplyAddress, outcome: { reply: IntakeReply } | { error: IntakeReplyError }): ReplyMessage {
  const headers: Record<string, string> = { [KafkaHeaders.CORRELATION_ID]: to.correlationId };
  if ('error' in outcome) {
    headers[KafkaHeaders.NEST_ERR] = JSON.stringify(outcome.error);
    return { topic: to.topic, partition: to.partition, value: null, headers };
  }
  headers[KafkaHeaders.NEST_IS_DISPOSED] = '1';
  return { topic: to.topic, partition: to.partition, value: Buffer.from(JSON.stringify(outcome.reply)), headers };
}
