import { ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { TaskClientService } from '../../src/client/task-client.service';
import { JsonLogger } from '../../src/common/logger';
import { loadDevConfig } from '../../src/config';
import { KafkaClient, OrderedPublisher, topicsFor } from '../../src/kafka';
import { createOrm, migrate, ProjectionStore, Projector } from '../../src/projection';
import { cleanup, isolation, sql, startEngine, TestEngine } from '../support/engine';
import { TestHandlers } from '../support/test-handlers';
import { waitFor } from '../support/wait-for';

const MAIN = join(__dirname, '../../dist/src/main.js');
const TASKS = 3000;

/** A projector in its own process, so it can be killed for real. */
function spawnProjector(prefix: string, schema: string): ChildProcess {
  return spawn(process.execPath, [MAIN], {
    env: {
      ...process.env,
      TASKLOG_ROLES: 'projector',
      TASKLOG_TOPIC_PREFIX: prefix,
      TASKLOG_DB_SCHEMA: schema,
      PORT: '0',
      LOG_LEVEL: 'warn',
    },
    stdio: 'ignore',
  });
}

const checkpointSum = async (schema: string) =>
  Number((await sql<{ n: string }>(schema, `select coalesce(sum("offset"), 0) as n from projection_checkpoints`))[0].n);

const count = async (schema: string, where = 'true') =>
  Number((await sql<{ n: string }>(schema, `select count(*) as n from tasks where ${where}`))[0].n);

describe('when the projector is killed mid-stream and restarted', () => {
  let engine: TestEngine;
  let rebuiltSchema: string;
  let child: ChildProcess | null = null;

  beforeAll(async () => {
    if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: run npm run build (npm test does it in pretest)`);
    engine = await startEngine({ label: 'projkill', handlers: [TestHandlers], config: { roles: ['api', 'worker'] } });
    rebuiltSchema = isolation('rebuilt').schema;
  });
  afterAll(async () => {
    child?.kill('SIGKILL');
    await engine?.stop();
    if (engine) {
      await cleanup(engine.prefix, engine.schema);
      await sql(engine.schema, `drop schema if exists "${rebuiltSchema}" cascade`).catch(() => undefined);
    }
  });

  it('leaves no duplicate history, and the state equals a projection rebuilt from offset 0', async () => {
    const client = engine.app.get(TaskClientService);
    const enqueueWave = (n: number) => Promise.all(Array.from({ length: n }, (_, i) => client.enqueue('test.echo', { i })));

    child = spawnProjector(engine.prefix, engine.schema);
    await enqueueWave(TASKS / 3);
    await waitFor(async () => (await count(engine.schema)) > 0, { timeoutMs: 60000, what: 'the first projection rows' });
    const enqueuing = enqueueWave(TASKS / 3);
    child.kill('SIGKILL');
    await new Promise((r) => child!.once('exit', r));
    // The restart must resume mid-stream: the dead projector had checkpointed some events, not none.
    const atKill = await checkpointSum(engine.schema);
    expect(atKill).toBeGreaterThan(0);
    await enqueuing;

    child = spawnProjector(engine.prefix, engine.schema);
    await enqueueWave(TASKS / 3);
    await waitFor(async () => (await count(engine.schema, `status = 'completed'`)) === TASKS, {
      timeoutMs: 120000,
      what: 'all tasks projected after the restart',
    });
    child.kill('SIGTERM');
    // The new projector moved the checkpoints on from where the dead one left them.
    expect(await checkpointSum(engine.schema)).toBeGreaterThan(atKill);

    // Exactly one row per event: each task's history has one of each lifecycle event.
    const perType = await sql<{ type: string; n: string; tasks: string }>(
      engine.schema,
      `select type, count(*) as n, count(distinct task_id) as tasks from task_events group by type`,
    );
    for (const type of ['task.enqueued', 'task.queued', 'task.started', 'task.completed']) {
      const row = perType.find((r) => r.type === type);
      expect({ type, n: Number(row?.n), tasks: Number(row?.tasks) }).toEqual({ type, n: TASKS, tasks: TASKS });
    }

    // Rebuild from offset 0 into a fresh schema with a fresh consumer group.
    const config = loadDevConfig();
    const orm = await createOrm({ databaseUrl: config.databaseUrl, schema: rebuiltSchema });
    await migrate(orm);
    const logger = new JsonLogger('warn');
    const kafka = new KafkaClient({ brokers: config.brokers, clientId: 'rebuild', logger });
    const topics = topicsFor(engine.prefix);
    const dlq = new OrderedPublisher(kafka, () => 1024 * 1024);
    const rebuild = new Projector(kafka, new ProjectionStore(orm), dlq, {
      groupId: `${engine.prefix}.rebuild`,
      eventsTopic: topics.events,
      // The events topic alone rebuilds the same state: workers append what the lanes carried.
      laneTopics: [],
      dlqTopic: topics.dlq,
      projection: 'tasks',
      logger,
    });
    try {
      await rebuild.start();
      await waitFor(async () => (await count(rebuiltSchema, `status = 'completed'`)) === TASKS, { timeoutMs: 120000, what: 'the rebuild' });
    } finally {
      await rebuild.stop();
      await dlq.close();
      await orm.close();
    }

    const state = `select id, status, attempt, result, error, progress_processed, progress_total, progress_message, worker_id,
      created_at, queued_at, started_at, finished_at, updated_at from tasks order by id`;
    const live = await sql(engine.schema, state);
    const rebuilt = await sql(rebuiltSchema, state);
    expect(live).toHaveLength(TASKS);
    expect(rebuilt).toEqual(live);
    const history = `select event_id, task_id, type, "offset", partition from task_events order by event_id`;
    expect(await sql(rebuiltSchema, history)).toEqual(await sql(engine.schema, history));
  }, 300000);
});
