'use strict';
// A worker in its own process (the built engine, `npm run build`), so tests can send it real
// signals. Plain JS: the build leaves test/ out. Its one task type mirrors TestHandlers' test.sleep.
require('reflect-metadata');
const { Injectable } = require('@nestjs/common');
const { createApp } = require('../../dist/src/app.factory');
const { TaskHandler } = require('../../dist/src/worker/task-handler.decorator');

class ChildHandlers {
  /** Sleeps payload.ms (CHILD_SLEEP_MS, when set, instead), ending early when the signal aborts. */
  async sleep(payload, ctx) {
    const ms = process.env.CHILD_SLEEP_MS ? Number(process.env.CHILD_SLEEP_MS) : payload.ms;
    await new Promise((resolve, reject) => {
      const t = setTimeout(resolve, ms);
      ctx.signal.addEventListener('abort', () => {
        clearTimeout(t);
        // Tests time cancels by this line (same host, same clock); it shows at LOG_LEVEL=info.
        ctx.log.write('info', 'test.sleep aborted', { abortedAt: Date.now(), reason: ctx.signal.reason && ctx.signal.reason.name });
        reject(ctx.signal.reason);
      });
    });
    return { sleptMs: ms };
  }
}
TaskHandler('test.sleep')(ChildHandlers.prototype, 'sleep', Object.getOwnPropertyDescriptor(ChildHandlers.prototype, 'sleep'));
Injectable()(ChildHandlers);

createApp({ handlers: [ChildHandlers] })
  .then((app) => app.listen(0, '127.0.0.1'))
  .catch((e) => {
    process.stderr.write(`worker child failed to start: ${e.stack}\n`);
    process.exit(1);
  });
