/** A task whose run time has come: what a run command needs, read from the projection. */
export interface DueTask {
  id: string;
  tenantId: string;
  type: string;
  payload: unknown;
  priority: number;
  /** The attempt to dispatch now (the projected attempt + 1). */
  attempt: number;
  timeoutMs: number | null;
  concurrencyKey: string | null;
  createdAt: string;
  runAt: string;
}
