import { KafkaHeaders } from '@nestjs/microservices/enums/kafka-headers.enum';
import { z } from 'zod';
import { cancelSignalJsonSchema, EVENT_VERSIONS, eventJsonSchemas, EventType, runCommandJsonSchema } from '../events';
import { Header } from '../kafka/kafka.types';
import { TaskRequestSchema } from '../intake/task-request.schema';

type Json = Record<string, unknown>;

const text = { type: 'string' };
const messageId = (type: string) => type.replace('.', '_');
const ref = (name: string) => ({ $ref: `#/components/messages/${name}` });

/** Headers every record of ours carries (DESIGN.md section 2). */
function recordHeaders(eventType: Json, version: string): Json {
  return {
    type: 'object',
    properties: {
      [Header.EVENT_TYPE]: eventType,
      [Header.SCHEMA_VERSION]: { type: 'string', description: version },
      [Header.TENANT_ID]: text,
      [Header.TRACEPARENT]: { type: 'string', description: 'W3C trace context' },
      [Header.CONTENT_TYPE]: { const: 'application/json' },
    },
  };
}

/**
 * An AsyncAPI 3 document of the topics and the messages on them (`npm run schemas` writes it to
 * docs/asyncapi.json; a test validates it with @asyncapi/parser).
 */
export function asyncApiDocument(prefix = 'tasklog'): Json {
  const messages: Record<string, Json> = {};
  for (const [type, payload] of Object.entries(eventJsonSchemas())) {
    const v = EVENT_VERSIONS[type as EventType];
    messages[messageId(type)] = {
      name: type,
      title: type,
      contentType: 'application/json',
      headers: recordHeaders({ const: type }, `the event's v; ${type} is written at v${v}, older versions are upcast on read`),
      bindings: { kafka: { key: { type: 'string', format: 'uuid', description: 'taskId' } } },
      payload,
    };
  }
  messages.run_command = { name: 'task.run', contentType: 'application/json', payload: runCommandJsonSchema() };
  messages.cancel_signal = { name: 'task.cancel', contentType: 'application/json', payload: cancelSignalJsonSchema() };
  messages.task_request = {
    name: 'task.request',
    title: 'enqueue request',
    summary: 'Enqueues a task, like POST /v1/tasks; refused requests go to the DLQ with the reason.',
    contentType: 'application/json',
    headers: {
      type: 'object',
      properties: {
        [Header.TENANT_ID]: { type: 'string', description: 'the tenant; default "default". The topic ACLs are the trust boundary.' },
        [KafkaHeaders.CORRELATION_ID]: { type: 'string', description: 'request-reply (Nest ClientKafka.send): echoed on the answer' },
        [KafkaHeaders.REPLY_TOPIC]: { type: 'string', description: 'request-reply: where to answer; with a correlation id, asks for one' },
        [KafkaHeaders.REPLY_PARTITION]: { type: 'string', description: 'request-reply: the partition of the reply topic to answer on' },
      },
    },
    bindings: { kafka: { key: { type: 'string', description: 'optional; the idempotency key unless the body gives one' } } },
    payload: {
      $id: 'https://tasklog.dev/schemas/task-request.json',
      title: 'task request',
      ...z.toJSONSchema(TaskRequestSchema, { io: 'input', unrepresentable: 'any' }),
    },
  };
  messages.task_reply = {
    name: 'task.reply',
    title: 'request-reply answer',
    summary:
      'Answers a request that names a reply topic (Nest ClientKafka.send), once the task is enqueued or the request dead-lettered; at least once.',
    contentType: 'application/json',
    headers: {
      type: 'object',
      properties: {
        [KafkaHeaders.CORRELATION_ID]: { type: 'string', description: "the request's" },
        [KafkaHeaders.NEST_IS_DISPOSED]: { type: 'string', description: 'on an answer: the only one' },
        [KafkaHeaders.NEST_ERR]: {
          type: 'string',
          description: 'on a refusal: JSON {status: "error", code, message}; the value is then empty',
        },
      },
    },
    payload: {
      type: 'object',
      properties: { taskId: { type: 'string', format: 'uuid' }, status: { type: 'string', description: 'the task status when accepted' } },
      required: ['taskId', 'status'],
    },
  };
  messages.dead_letter = {
    name: 'dead-letter',
    summary: 'The original record (or a reference to it when too large), with provenance headers.',
    headers: {
      type: 'object',
      properties: Object.fromEntries(
        [
          Header.DLQ_KIND,
          Header.DLQ_REASON,
          Header.DLQ_SOURCE_TOPIC,
          Header.DLQ_SOURCE_PARTITION,
          Header.DLQ_SOURCE_OFFSET,
          Header.DLQ_FAILED_AT,
        ].map((h) => [h, text]),
      ),
    },
    payload: {},
  };
  const eventMessages = Object.fromEntries(Object.keys(eventJsonSchemas()).map((t) => [messageId(t), ref(messageId(t))]));
  const channels: Record<string, Json> = {
    events: {
      address: `${prefix}.events`,
      description: 'Every task lifecycle event, keyed by taskId; the source of truth.',
      messages: eventMessages,
    },
    commandsHigh: { address: `${prefix}.commands.high`, messages: { run_command: ref('run_command') } },
    commandsNormal: { address: `${prefix}.commands.normal`, messages: { run_command: ref('run_command') } },
    commandsLow: { address: `${prefix}.commands.low`, messages: { run_command: ref('run_command') } },
    control: { address: `${prefix}.control`, messages: { cancel_signal: ref('cancel_signal') } },
    requests: {
      address: `${prefix}.requests`,
      description: 'Enqueue requests from any producer.',
      messages: { task_request: ref('task_request') },
    },
    requestsReply: {
      address: `${prefix}.requests.reply`,
      description: "Answers to request-reply requests (Nest's `<topic>.reply` convention); created by the engine.",
      messages: { task_reply: ref('task_reply') },
    },
    dlq: { address: `${prefix}.dlq`, messages: { dead_letter: ref('dead_letter') } },
  };
  const channel = (name: string) => ({ $ref: `#/channels/${name}` });
  return {
    asyncapi: '3.0.0',
    info: {
      title: 'Tasklog',
      version: '1',
      description: 'The Kafka contract of Tasklog: lifecycle events to consume, requests to produce, run commands and dead letters.',
    },
    defaultContentType: 'application/json',
    channels,
    operations: {
      publishEvents: { action: 'send', channel: channel('events'), summary: 'Tasklog appends every lifecycle event.' },
      receiveRequests: {
        action: 'receive',
        channel: channel('requests'),
        summary: 'The api role enqueues each request.',
        reply: {
          address: { location: `$message.header#/${KafkaHeaders.REPLY_TOPIC}` },
          channel: channel('requestsReply'),
          messages: [{ $ref: '#/channels/requestsReply/messages/task_reply' }],
        },
      },
      publishDeadLetters: { action: 'send', channel: channel('dlq') },
    },
    components: { messages },
  };
}
