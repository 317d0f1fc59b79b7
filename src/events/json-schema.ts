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

/** The cancel signal on the control topic, as JSON Schema. */
export function cancelSignalJsonSchema(): JsonSchema {
  return {
    $id: 'https://tasklog.dev/schemas/cancel-signal.json',
    title: 'cancel signal',
    ...z.toJSONSchema(CancelSignalSchema, { io: 'input', unrepresentable: 'any' }),
  };
}
