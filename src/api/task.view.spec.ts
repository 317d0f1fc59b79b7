import { EMPTY_PROGRESS, TaskState } from '../domain/task-state';
import { TaskListSchema, TaskViewSchema } from './response.schemas';
import { taskView } from './task.view';

const state: TaskState = {
  id: '01a21a00-6fb2-7237-9901-b5f6cafb884d',
  tenantId: 'acme',
  type: 'report.build',
  status: 'running',
  priority: 5,
  payload: { month: '2026-11' },
  result: null,
  error: null,
  attempt: 1,
  maxAttempts: 3,
  backoff: { type: 'exponential', delayMs: 1000 },
  timeoutMs: null,
  progress: { ...EMPTY_PROGRESS, processed: 3, total: 4 },
  runAt: null,
  expiresAt: null,
  cancelRequestedAt: null,
  redelivered: false,
  idempotencyKey: null,
  concurrencyKey: null,
  labels: { team: 'billing' },
  workerId: 'w-1',
  createdAt: '2026-11-26T10:00:00.000Z',
  queuedAt: '2026-11-26T10:00:00.010Z',
  startedAt: '2026-11-26T10:00:00.020Z',
  finishedAt: null,
  updatedAt: '2026-11-26T10:00:01.000Z',
};

describe('TaskViewSchema (the OpenAPI shape of a task)', () => {
  it('describes exactly what taskView returns, no field more or less', () => {
    const view = taskView(state);
    expect(TaskViewSchema.parse(view)).toEqual(view);
    expect(view.progress.percent).toBe(75);
    expect(TaskListSchema.safeParse({ items: [view], nextCursor: null }).success).toBe(true);
    expect(TaskViewSchema.safeParse({ ...view, extra: 1 }).success).toBe(false);
  });
});
