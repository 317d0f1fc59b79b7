import { z } from 'zod';
import { EventSchema, DataSchemas } from './event.schemas';
import { RunCommandSchema } from './run-command.schema';
import { CancelSignalSchema } from './cancel-signal.schema';
import { EventType } from './event-types';

type JsonSchema = Record<string, unknown>;

/** JSON Schema of every event envelope (one per type), for consumers outside Node. */
export function eventJsonSchemas(): Record<EventType, JsonSchema> {
  const out = {} as Record<EventType, JsonSchema>;
  const union = EventSchema as unknown as { options: z.ZodType[] };
  const types = Object.keys(DataSchemas) as EventType[];
  union.options.forEach((option, i) => {
    out[types[i]] = {
      $id: `https://tasklog.dev/schemas/${types[i]}.json`,
      title: types[i],
      ...z.toJSONSchema(option, { io: 'input', unrepresentable: 'any' }),
    };
  });
  return out;
}

export function runCommandJsonSchema(): JsonSchema {
  return {
    $id: 'https://tasklog.dev/schemas/run-command.json',
    title: 'run command',
    ...z.toJSONSchema(RunCommandSchema, { io: 'input', unrepresentable: 'any' }),
  };
}

/** An AsyncAPI 3 document describing the topics and the messages on them. */
export function asyncApiDocument(prefix = 'tasklog'): JsonSchema {
  const events = eventJsonSchemas();
  const messages: Record<string, JsonSchema> = {};
  for (const [type, schema] of Object.entries(events)) {
    messages[type.replace('.', '_')] = {
      name: type,
      contentType: 'application/json',
      headers: {
        type: 'object',
        properties: {
          'event-type': { const: type },
          'schema-version': { type: 'string' },
          'tenant-id': { type: 'string' },
          traceparent: { type: 'string' },
          'content-type': { const: 'application/json' },
        },
      },
      payload: schema,
    };
  }
  messages.run_command = { name: 'task.run', contentType: 'application/json', payload: runCommandJsonSchema() };
  messages.cancel_signal = {
    name: 'task.cancel',
    contentType: 'application/json',
    payload: {
      $id: 'https://tasklog.dev/schemas/cancel-signal.json',
      title: 'cancel signal',
      ...z.toJSONSchema(CancelSignalSchema, { io: 'input', unrepresentable: 'any' }),
    },
  };
  const ref = (name: string) => ({ $ref: `#/components/messages/${name}` });
  return {
    asyncapi: '3.0.0',
    info: { title: 'Tasklog events', version: '1', description: 'Every task lifecycle event, keyed by taskId; the source of truth.' },
    channels: {
      events: {
        address: `${prefix}.events`,
        messages: Object.fromEntries(Object.keys(events).map((t) => [t.replace('.', '_'), ref(t.replace('.', '_'))])),
      },
      commandsHigh: { address: `${prefix}.commands.high`, messages: { run_command: ref('run_command') } },
      commandsNormal: { address: `${prefix}.commands.normal`, messages: { run_command: ref('run_command') } },
      commandsLow: { address: `${prefix}.commands.low`, messages: { run_command: ref('run_command') } },
      control: { address: `${prefix}.control`, messages: { cancel_signal: ref('cancel_signal') } },
    },
    components: { messages },
  };
}
