import { TaskClientService } from '../../src/client/task-client.service';
import { cleanup, isolation, sql, startEngine, TestEngine } from '../support/engine';
import { TestHandlers } from '../support/test-handlers';
import { waitFor } from '../support/wait-for';

describe('when the events topic was recreated but Postgres kept its checkpoints', () => {
  const iso = isolation('stalecp');
  const engines: TestEngine[] = [];
  afterAll(async () => {
    for (const e of engines) await e.stop();
    await cleanup(iso.prefix, iso.schema);
  });

  it('projects the new topic from its start instead of skipping to the old offsets', async () => {
    const api = await startEngine({
      label: 'stalecp',
      handlers: [TestHandlers],
      prefix: iso.prefix,
      schema: iso.schema,
      config: { roles: ['api', 'worker'] },
    });
    engines.push(api);
    // Checkpoints a previous Kafka cluster left behind, far past anything on the new topic.
    for (const partition of [0, 1, 2]) {
      await sql(
        iso.schema,
        `insert into projection_checkpoints (projection, topic, partition, "offset", updated_at) values ('tasks', $1, $2, 100000, now())`,
        [`${iso.prefix}.events`, partition],
      );
    }
    const ids = (await Promise.all([1, 2, 3, 4, 5, 6].map((i) => api.app.get(TaskClientService).enqueue('test.echo', { i })))).map(
      (t) => t.id,
    );
    engines.push(
      await startEngine({
        label: 'stalecp',
        handlers: [TestHandlers],
        prefix: iso.prefix,
        schema: iso.schema,
        config: { roles: ['projector'] },
      }),
    );
    await waitFor(
      async () => {
        const rows = await sql<{ n: string }>(
          iso.schema,
          `select count(*) as n from tasks where status = 'completed' and id = any($1::uuid[])`,
          [ids],
        );
        return Number(rows[0].n) === ids.length;
      },
      { what: 'the tasks on the new topic to be projected' },
    );
  });
});
