import { Injectable } from '@nestjs/common';
import { join } from 'node:path';
import { waitFor } from '../support/wait-for';
import { cleanup, isolation } from '../support/engine';

// Only the package root, as an app that installed Tasklog would import it (package.json main/exports, built dist/).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const tasklog = require(join(__dirname, '../..')) as typeof import('../../src');

describe('an app that imports only from the package root', () => {
  it('exports the documented surface', () => {
    for (const name of [
      'TasklogModule',
      'TaskHandler',
      'Recurring',
      'TaskClientService',
      'createApp',
      'NonRetryableError',
      'EventSchema',
      'decodeEvent',
      'TaskStatus',
      'mountOpenApi',
      'RequireScope',
      'Scope',
    ]) {
      expect(tasklog).toHaveProperty(name);
    }
  });

  it('runs a task with a handler declared through it', async () => {
    @Injectable()
    class Greeter {
      @tasklog.TaskHandler('app.greet')
      greet(payload: { name: string }) {
        return { greeting: `hello ${payload.name}` };
      }
    }
    const iso = isolation('pkgroot');
    const app = await tasklog.createApp({
      config: { topicPrefix: iso.prefix, dbSchema: iso.schema, logLevel: 'warn' },
      handlers: [Greeter],
    });
    await app.listen(0, '127.0.0.1');
    const url = `http://127.0.0.1:${(app.getHttpServer().address() as { port: number }).port}`;
    try {
      await waitFor(async () => (await fetch(`${url}/health/ready`)).status === 200, { what: 'the app to be ready' });
      const task = await app.get(tasklog.TaskClientService).enqueue('app.greet', { name: 'Ada' });
      expect(task.status).toBe(tasklog.TaskStatus.QUEUED);
      const done = await waitFor(
        async () => {
          const t = (await (await fetch(`${url}/v1/tasks/${task.id}`)).json()) as { status: string; result: unknown };
          return t.status === tasklog.TaskStatus.COMPLETED ? t : null;
        },
        { what: 'the task to complete' },
      );
      expect(done.result).toEqual({ greeting: 'hello Ada' });
    } finally {
      await app.close();
      await cleanup(iso.prefix, iso.schema);
    }
  });
});
