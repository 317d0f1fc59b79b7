import { Controller, INestMicroservice, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Ctx, EventPattern, KafkaContext, MicroserviceOptions, Payload, Transport } from '@nestjs/microservices';
// The package root (what `import { parseEvent } from 'tasklog'` gives an installed app); nothing else of Tasklog.
import { parseEvent, TaskEvent } from '../../src';

export interface ReceivedEvent {
  event: TaskEvent;
  /** The record's headers as Nest hands them over: event-type, schema-version, tenant-id, ... */
  headers: Record<string, string>;
  key: string;
}

export interface EventsConsumer {
  received: ReceivedEvent[];
  close(): Promise<void>;
}

/**
 * A stock Nest Kafka microservice reading Tasklog's events topic, as a downstream team would write
 * it: `Transport.KAFKA`, `@EventPattern('<prefix>.events')`, the default deserializer. The topic is
 * a parameter only because each test file has its own prefix.
 */
export async function startEventsConsumer(opts: { brokers: string[]; eventsTopic: string; groupId: string }): Promise<EventsConsumer> {
  const received: ReceivedEvent[] = [];

  @Controller()
  class TaskEventsController {
    @EventPattern(opts.eventsTopic)
    onTaskEvent(@Payload() value: unknown, @Ctx() context: KafkaContext): void {
      const message = context.getMessage();
      received.push({
        event: parseEvent(value),
        headers: message.headers as unknown as Record<string, string>,
        key: String(message.key),
      });
    }
  }

  @Module({ controllers: [TaskEventsController] })
  class EventsConsumerModule {}

  const app: INestMicroservice = await NestFactory.createMicroservice<MicroserviceOptions>(EventsConsumerModule, {
    transport: Transport.KAFKA,
    options: {
      client: { clientId: 'events-consumer', brokers: opts.brokers },
      consumer: { groupId: opts.groupId },
      subscribe: { fromBeginning: true },
    },
    logger: ['error'],
  });
  await app.listen();
  return { received, close: () => app.close() };
}
