import { TopicMessages } from 'kafkajs';
import { OutMessage } from './kafka.types';

export function groupByTopic(messages: OutMessage[]): TopicMessages[] {
  const byTopic = new Map<string, TopicMessages['messages']>();
  for (const m of messages) {
    let list = byTopic.get(m.topic);
    if (!list) byTopic.set(m.topic, (list = []));
    list.push({ key: m.key, value: m.value, headers: m.headers });
  }
  return [...byTopic].map(([topic, msgs]) => ({ topic, messages: msgs }));
}
