export interface Topics {
  events: string;
  commands: { high: string; normal: string; low: string };
  control: string;
  requests: string;
  /** Answers to `ClientKafka.send` requests (Nest's `<topic>.reply` convention; see src/intake). */
  requestsReply: string;
  dlq: string;
  /** Latest heartbeat per worker id (compacted); a tombstone when a worker stops. */
  workers: string;
}

export type Lane = keyof Topics['commands'];

export function topicsFor(prefix: string): Topics {
  return {
    events: `${prefix}.events`,
    commands: { high: `${prefix}.commands.high`, normal: `${prefix}.commands.normal`, low: `${prefix}.commands.low` },
    control: `${prefix}.control`,
    requests: `${prefix}.requests`,
    requestsReply: `${prefix}.requests.reply`,
    dlq: `${prefix}.dlq`,
    workers: `${prefix}.workers`,
  };
}

/** Priority 1-10 maps onto three lanes; workers drain high before normal before low. */
export function laneFor(priority: number): Lane {
  if (priority >= 8) return 'high';
  if (priority <= 3) return 'low';
  return 'normal';
}

export function allTopics(t: Topics): string[] {
  return [t.events, t.commands.high, t.commands.normal, t.commands.low, t.control, t.requests, t.requestsReply, t.dlq, t.workers];
}
