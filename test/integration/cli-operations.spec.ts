import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { TaskClientService } from '../../src/client/task-client.service';
import { cleanup, http, startEngine, TestEngine } from '../support/engine';
import { TestHandlers } from '../support/test-handlers';
import { waitFor } from '../support/wait-for';

const CLI = join(__dirname, '../../dist/src/cli/tasklog.js');

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

describe('tasklog CLI: dlq list, dlq retry, stats', () => {
  let engine: TestEngine;
  const failed: string[] = [];

  /** The built CLI as a user runs it, against this test's schema and topics. */
  const tasklog = (...args: string[]) =>
    new Promise<Run>((resolve, reject) => {
      const child = spawn(process.execPath, [CLI, ...args], {
        cwd: join(__dirname, '../..'),
        env: { ...process.env, TASKLOG_DB_SCHEMA: engine.schema, TASKLOG_TOPIC_PREFIX: engine.prefix, LOG_LEVEL: 'warn' },
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
      child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
      child.on('error', reject);
      child.on('close', (code) => resolve({ code, stdout, stderr }));
    });
  const events = async (id: string) =>
    ((await http(`${engine.url}/v1/tasks/${id}/events`)).body.items as { type: string }[]).map((e) => e.type);
  const reopened = async (id: string) => (await events(id)).includes('task.retry-requested');

  beforeAll(async () => {
    if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run npm run build (npm test does it in pretest)`);
    engine = await startEngine({ label: 'cli', handlers: [TestHandlers] });
    const client = engine.app.get(TaskClientService);
    for (let i = 0; i < 3; i++) failed.push((await client.enqueue('test.fail', { message: `boom ${i}` }, { maxAttempts: 1 })).id);
    await waitFor(async () => (await http(`${engine.url}/v1/dead-letters?kind=task-exhausted`)).body.items?.length === 3, {
      what: 'three dead letters',
    });
  });
  afterAll(async () => {
    await engine?.stop();
    if (engine) await cleanup(engine.prefix, engine.schema);
  });

  it('explains each command with --help', async () => {
    const top = await tasklog('--help');
    expect(top.code).toBe(0);
    expect(top.stdout).toMatch(/dlq/);
    expect(top.stdout).toMatch(/stats/);
    expect((await tasklog('dlq', 'list', '--help')).stdout).toMatch(/--kind <kind>[\s\S]*--limit <n>/);
    expect((await tasklog('dlq', 'retry', '--help')).stdout).toMatch(/\[taskId\][\s\S]*--all/);
    expect((await tasklog('stats', '--help')).stdout).toMatch(/--tenant <id>/);
  });

  it('lists the dead letters, as JSON and as a table, and refuses a bad limit or kind clearly', async () => {
    const json = await tasklog('dlq', 'list', '--kind', 'task-exhausted', '--json');
    expect(json.code).toBe(0);
    const page = JSON.parse(json.stdout);
    expect(page.items.map((l: { taskId: string }) => l.taskId).sort()).toEqual([...failed].sort());
    expect(page.items[0]).toMatchObject({ kind: 'task-exhausted', attempt: 1 });

    const table = await tasklog('dlq', 'list', '--limit', '2');
    expect(table.code).toBe(0);
    expect(table.stdout.split('\n')[0]).toMatch(/^id\s+kind\s+task\s+attempt/);
    expect(table.stdout.split('\n').filter((l) => failed.some((id) => l.includes(id)))).toHaveLength(2);
    expect(table.stdout).toMatch(/more: raise --limit/);

    const badLimit = await tasklog('dlq', 'list', '--limit', '0');
    expect(badLimit.code).not.toBe(0);
    expect(badLimit.stderr).toMatch(/--limit.*must be a whole number from 1 to 500/);
    const badKind = await tasklog('dlq', 'list', '--kind', 'sad');
    expect(badKind.code).not.toBe(0);
    expect(badKind.stderr).toMatch(/Allowed choices are task-exhausted, poison/);
  });

  it('re-opens one exhausted task the way POST /v1/tasks/:id/retry does, and refuses a task that is not dead', async () => {
    const run = await tasklog('dlq', 'retry', failed[0]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(new RegExp(`task ${failed[0]} re-opened: queued, up to attempt 2`));
    await waitFor(() => reopened(failed[0]), { what: 'task.retry-requested in the history' });

    const done = await engine.app.get(TaskClientService).enqueue('test.echo', { ok: true });
    await waitFor(async () => (await http(`${engine.url}/v1/tasks/${done.id}`)).body.status === 'completed', { what: 'the echo task' });
    const refused = await tasklog('dlq', 'retry', done.id);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/is completed; only failed, cancelled or expired tasks can be retried/);
  });

  it('re-opens every dead task with --all and says which it skipped', async () => {
    // Wait until the first retry has failed again, so every letter's task is dead now.
    await waitFor(async () => (await http(`${engine.url}/v1/tasks/${failed[0]}`)).body.status === 'failed', {
      what: 'the retried task to fail again',
    });
    const run = await tasklog('dlq', 'retry', '--all', '--json');
    expect(run.code).toBe(0);
    const result = JSON.parse(run.stdout);
    expect(result.retried.sort()).toEqual([...failed].sort());
    expect(result.skipped).toEqual([]);
    for (const id of failed.slice(1)) await waitFor(() => reopened(id), { what: `task ${id} re-opened` });
  });

  it('prints the same counts as GET /v1/stats', async () => {
    // Polled until both read the same moment of the read model (retried tasks are still moving).
    await waitFor(
      async () => {
        const api = (await http(`${engine.url}/v1/stats`)).body;
        const cli = await tasklog('stats', '--json');
        const counts = JSON.parse(cli.stdout);
        return JSON.stringify(counts) === JSON.stringify({ byStatus: api.byStatus, byType: api.byType }) && counts.byType['test.fail'];
      },
      { what: 'the CLI and the API to agree' },
    );
    const table = await tasklog('stats');
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/^type\s+/);
    expect(table.stdout).toMatch(/\n\(all\)\s+\d/);
    expect(table.stdout).toMatch(/\ntest\.fail\s+\d/);
  });
});
