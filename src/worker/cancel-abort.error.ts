/**
 * The reason `ctx.signal` carries when the task was cancelled while it ran. The attempt then
 * ends `cancelled`, whatever the handler returns or throws, and is not retried.
 */
export class CancelAbort extends Error {
  constructor(readonly reason: string) {
    super(`the task was cancelled: ${reason}`);
    this.name = 'CancelAbort';
  }
}
