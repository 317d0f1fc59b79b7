import { EVENT_VERSIONS } from './event.schemas';
import { EventType } from './event-types';

/** An event as read from the wire, before validation: only `type` and `v` are relied on. */
export type RawEvent = { type: string; v: number; data?: unknown; [field: string]: unknown };

/** Turns version n of one event type into version n + 1; pure, never fails on a valid vN. */
export type Upcaster = (event: RawEvent) => RawEvent;

/**
 * The chain of every event type, by the version it upcasts from (docs/adr/0014-event-versions.md).
 * A new version adds its step here; old steps stay forever, since Kafka keeps old records.
 */
export const UPCASTERS: Partial<Record<EventType, Record<number, Upcaster>>> = {
  [EventType.FAILED]: {
    // v2 added error.code (and the optional error.stack, which v1 never had): the class name
    // stands in for the code, as it does for a v2 error without a code of its own.
    1: (e) => {
      const data = (e.data ?? {}) as { error?: Record<string, unknown> };
      const error = data.error ?? {};
      const code = typeof error.name === 'string' && error.name ? error.name : 'Error';
      return { ...e, v: 2, data: { ...data, error: { ...error, code } } };
    },
  },
};

/**
 * Brings a record up to its type's current version through the chain vN -> vN+1. Unknown types,
 * versions newer than this reader knows and versions without a step are returned unchanged, for
 * validation to refuse with a reason.
 */
export function upcast(raw: unknown): unknown {
  if (!isRawEvent(raw)) return raw;
  const steps = UPCASTERS[raw.type as EventType];
  const target = EVENT_VERSIONS[raw.type as EventType];
  let event = raw;
  while (steps && target !== undefined && event.v < target && steps[event.v]) event = steps[event.v](event);
  return event;
}

function isRawEvent(raw: unknown): raw is RawEvent {
  return typeof raw === 'object' && raw !== null && typeof (raw as RawEvent).type === 'string' && Number.isInteger((raw as RawEvent).v);
}
