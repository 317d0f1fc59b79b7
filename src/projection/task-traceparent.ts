import { Knex } from '@mikro-orm/knex';
import { TaskState } from '../domain';
import { EventType } from '../events';
import { textProblem } from '../common/storable';
import { validTraceparent } from '../observability/trace-context';
import type { PositionedEvent } from './projection.store';

/** The events whose record's traceparent the task's scheduled runs continue (the scheduler reads it). */
const TRACE_STARTS: string[] = [EventType.ENQUEUED, EventType.RETRY_REQUESTED];

/**
 * Keeps on the task row the traceparent of its latest task.enqueued or task.retry-requested
 * record (none: null, so a manual retry without a trace does not continue the enqueue's).
 * Delayed runs and automatic retries are dispatched from the row and carry it (ADR 0013).
 */
export async function keepTraceparents(
  trx: Knex.Transaction,
  batch: PositionedEvent[],
  states: Map<string, TaskState | null>,
  /** The rows as they were before this batch: one it creates already holds null, so an untraced enqueue writes nothing. */
  initial: Map<string, TaskState | null>,
): Promise<void> {
  const latest = new Map<string, string | null>();
  for (const { event, traceparent } of batch) {
    if (TRACE_STARTS.includes(event.type) && states.get(event.taskId)) latest.set(event.taskId, storableTraceparent(traceparent));
  }
  for (const [id, tp] of latest) if (tp === null && !initial.get(id)) latest.delete(id);
  if (latest.size === 0) return;
  await trx.raw(
    `update tasks t set traceparent = x.traceparent from jsonb_to_recordset(?::jsonb) as x(id uuid, traceparent text)
     where t.id = x.id and t.traceparent is distinct from x.traceparent`,
    [JSON.stringify([...latest].map(([id, traceparent]) => ({ id, traceparent })))],
  );
}

/** A valid traceparent Postgres can take (a later version may append any text), else null. */
function storableTraceparent(header: string | undefined): string | null {
  const tp = validTraceparent(header);
  return tp && tp.length <= 512 && !textProblem(tp) ? tp : null;
}
