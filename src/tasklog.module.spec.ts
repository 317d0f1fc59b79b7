import { Test } from '@nestjs/testing';
import { TasklogModule } from './tasklog.module';

describe('TasklogModule.forRoot', () => {
  // The module's options used to be merged over the environment unchecked, and the schema name
  // is put into SQL: a host app must not be able to start with one like this.
  it('refuses to start with a bad schema name given in code, naming the option', async () => {
    const build = Test.createTestingModule({ imports: [TasklogModule.forRoot({ dbSchema: 'x"; drop schema public cascade; --' })] });
    await expect(build.compile()).rejects.toThrow(/invalid Tasklog options: dbSchema=/);
  });

  it('refuses to start with a bad topic prefix given in code, naming the option', async () => {
    const build = Test.createTestingModule({ imports: [TasklogModule.forRoot({ topicPrefix: 'a/b' })] });
    await expect(build.compile()).rejects.toThrow(/invalid Tasklog options: topicPrefix=/);
  });
});
