import { Injectable } from '@nestjs/common';
import { createApp } from '../../src/app.factory';
import { TaskHandler } from '../../src/worker/task-handler.decorator';

@Injectable()
class ReportsA {
  @TaskHandler('report.build')
  build() {
    return 1;
  }
}

@Injectable()
class ReportsB {
  @TaskHandler('report.build')
  make() {
    return 2;
  }
}

describe('startup', () => {
  it('stops when two handlers claim one task type, naming both', async () => {
    const app = await createApp({ config: { roles: ['api'] }, handlers: [ReportsA, ReportsB] });
    await expect(app.init()).rejects.toThrow(/two handlers for task type "report.build": ReportsA.build and ReportsB.make/);
    await app.close().catch(() => undefined);
  });

  it('stops when an option given in code is bad, naming it', async () => {
    await expect(createApp({ config: { dbSchema: 'x"; drop schema public cascade; --' }, handlers: [ReportsA] })).rejects.toThrow(
      /invalid Tasklog options: dbSchema="x\\"; drop schema public cascade; --"/,
    );
  });

  it('stops when an environment variable is bad, naming it', async () => {
    const saved = process.env.TASKLOG_CONCURRENCY;
    process.env.TASKLOG_CONCURRENCY = 'lots';
    try {
      await expect(createApp({ handlers: [ReportsA] })).rejects.toThrow(/TASKLOG_CONCURRENCY="lots"/);
    } finally {
      if (saved === undefined) delete process.env.TASKLOG_CONCURRENCY;
      else process.env.TASKLOG_CONCURRENCY = saved;
    }
  });
});
