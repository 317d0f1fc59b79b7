import { EventType, TaskEvent } from '../events';
import { deadLetter, DeadLetterKind, InMessage, OutMessage } from '../kafka';

/**
 * The dead letter of a task that ends failed (a NonRetryableError, or a failure on its last
 * attempt), built from the final `task.failed` and the run command it ran; null for any other
 * event. The letter carries the run command as its value, so it can be inspected or re-run.
 */
export function exhaustedLetter(dlqTopic: string, command: InMessage, event: TaskEvent): OutMessage | null {
  if (event.type !== EventType.FAILED || event.data.willRetry) return null;
  const { error } = event.data;
  const attempts = event.attempt === 1 ? '1 attempt' : `${event.attempt} attempts`;
  return deadLetter(dlqTopic, command, {
    kind: DeadLetterKind.TASK_EXHAUSTED,
    reason: `${error.name}: ${error.message} after ${attempts}`,
    taskId: event.taskId,
    tenantId: event.tenantId,
    attempt: event.attempt,
    at: event.at,
  });
}
