/**
 * The reason `ctx.signal` carries when a stopping worker aborts a handler at its grace
 * deadline. Not the task's fault: the attempt is handed back (re-published), not failed.
 */
export class ShutdownAbort extends Error {
  constructor(message = 'the worker is shutting down') {
    super(message);
    this.name = 'ShutdownAbort';
  }
}
