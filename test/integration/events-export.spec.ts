import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildCli } from '../../src/cli/tasklog';
import { cleanup, http, startEngine, TestEngine } from '../support/engine';
import { TestHandlers } from '../support/test-handlers';
import { waitFor } from '../support/wait-for';

interface Line {
  id: string;
  type: string;
  taskId: string;
  at: string;
  attempt: number;
  data: unknown;
}

const TERMINAL = ['completed', 'failed', 'cancelled', 'expired'];

describe('exporting a time range of the history for analytics', () => {
  let engine: TestEngine;
  const dir = mkdtempSync(join(tmpdir(), 'tasklog-export-'));
  const ids: string[] = [];
  let fromMs = 0;
  let toMs = 0;

  beforeAll(async () => {
    engine = await startEngine({ label: 'export', handlers: [TestHandlers], config: { logLevel: 'error' } });
    fromMs = Date.now();
    for (let i = 0; i < 30; i++) {
      const body =
        i % 5 === 0
          ? { type: 'test.fail', payload: { message: `broken ${i}` }, maxAttempts: 2, backoff: { type: 'fixed', delayMs: 50 } }
          : { type: 'test.echo', payload: { i, note: 'a "quoted", comma\nline' } };
      ids.push((await http(`${engine.url}/v1/tasks`, { method: 'POST', json: body })).body.id);
    }
    await waitFor(
      async () => {
        const states = await Promise.all(ids.map(async (id) => (await http(`${engine.url}/v1/tasks/${id}`)).body?.status));
        return states.every((s) => TERMINAL.includes(s));
      },
      { what: 'every task to finish' },
    );
    toMs = Date.now();
    // The CLI reads the environment (as `npx tasklog` would): point it at this test's topics.
    process.env.TASKLOG_TOPIC_PREFIX = engine.prefix;
  });
  afterAll(async () => {
    delete process.env.TASKLOG_TOPIC_PREFIX;
    await engine?.stop();
    if (engine) await cleanup(engine.prefix, engine.schema);
  });

  const cli = (...args: string[]) => {
    const root = buildCli();
    // Errors throw instead of exiting the test process, on every level of commands.
    const quiet = (c: typeof root): void => {
      c.exitOverride().configureOutput({ writeErr: () => {} });
      c.commands.forEach(quiet);
    };
    quiet(root);
    return root.parseAsync(['node', 'tasklog', 'events', 'export', ...args]);
  };
  const iso = (ms: number) => new Date(ms).toISOString();

  it('`tasklog events export` writes, per task, exactly the history the API shows, in order', async () => {
    const out = join(dir, 'all.jsonl');
    await cli('--from', iso(fromMs), '--to', iso(toMs), '--out', out, '--no-progress');
    const lines: Line[] = readFileSync(out, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    for (const id of ids) {
      const history = (await http(`${engine.url}/v1/tasks/${id}/events`)).body.items as Line[];
      const exported = lines.filter((l) => l.taskId === id);
      expect(exported.map(({ id, type, at, attempt, data }) => ({ id, type, at, attempt, data }))).toEqual(
        history.map(({ id, type, at, attempt, data }) => ({ id, type, at, attempt, data })),
      );
    }
    expect(new Set(lines.map((l) => l.taskId))).toEqual(new Set(ids));
  });

  it('filters by type into CSV, and a range before the tasks is empty', async () => {
    const out = join(dir, 'failed.csv');
    await cli('--from', String(fromMs), '--to', String(toMs), '--type', 'task.failed', '--format', 'csv', '--out', out, '--no-progress');
    const [header, ...rows] = readFileSync(out, 'utf8').trim().split('\n');
    expect(header).toBe('id,type,v,taskId,tenantId,at,attempt,correlationId,partition,offset,data');
    // 6 failing tasks, 2 attempts each.
    expect(rows).toHaveLength(12);
    for (const row of rows) expect(row.split(',')[1]).toBe('task.failed');

    const empty = join(dir, 'empty.jsonl');
    await cli('--from', iso(fromMs - 3_600_000), '--to', iso(fromMs - 1_800_000), '--out', empty, '--no-progress');
    expect(readFileSync(empty, 'utf8')).toBe('');
  });

  it('refuses a time it cannot read, naming it', async () => {
    await expect(cli('--from', 'yesterday-ish', '--no-progress')).rejects.toThrow(/expected an ISO 8601 time/);
  });
});
