import { createHash } from 'node:crypto';
import { cleanup, http, sql, startEngine, TestEngine } from '../support/engine';
import { runCli } from '../support/cli';
import { TestHandlers } from '../support/test-handlers';
import { waitFor } from '../support/wait-for';

type Key = { id: string; key: string };

describe('API keys created with the CLI', () => {
  let engine: TestEngine;
  const logged: string[] = [];

  const cli = (...args: string[]) => runCli(['api-key', ...args], { TASKLOG_DB_SCHEMA: engine.schema });
  const create = async (tenant: string, scope: string, name?: string): Promise<Key> => {
    const r = await cli('create', '--tenant', tenant, '--scope', scope, ...(name ? ['--name', name] : []));
    expect(r.code).toBe(0);
    const key = r.stdout.trim().split(/\s+/).pop()!;
    const id = /created API key ([0-9a-f-]{36})/.exec(r.stdout)![1];
    return { id, key };
  };
  const as = (k: Key) => ({ authorization: `Bearer ${k.key}` });
  const enqueue = (headers: Record<string, string>, body: unknown = { type: 'test.echo', payload: 'hi' }) =>
    http(`${engine.url}/v1/tasks`, { method: 'POST', headers, json: body });
  const expectProblem = (r: { status: number; headers: Headers; body: any }, status: number) => {
    expect(r.status).toBe(status);
    expect(r.headers.get('content-type')).toContain('application/problem+json');
    expect(r.body.status).toBe(status);
  };

  beforeAll(async () => {
    // The engine's JSON log lines, kept to check what it said about open access.
    engine = await startEngine({
      label: 'apikeys',
      handlers: [TestHandlers],
      logDestination: { write: (line: string) => void logged.push(line) },
    });
  });
  afterAll(async () => {
    await engine?.stop();
    if (engine) await cleanup(engine.prefix, engine.schema);
  });

  describe('before any key exists', () => {
    it('runs open as tenant default, and says so once (warn)', async () => {
      const r = await enqueue({});
      expect(r.status).toBe(202);
      expect(r.body.tenantId).toBe('default');
      expect((await http(`${engine.url}/v1/tasks`)).status).toBe(200);
      const warnings = () => logged.filter((l) => l.includes('"level":"warn"') && l.includes('the API is open'));
      await waitFor(() => warnings().length > 0, { what: 'the open-access warning' });
      await http(`${engine.url}/v1/stats`);
      expect(warnings()).toHaveLength(1);
    });
  });

  describe('once keys exist', () => {
    let acmeWrite: Key;
    let acmeRead: Key;
    let acmeAdmin: Key;
    let globexAdmin: Key;

    beforeAll(async () => {
      acmeWrite = await create('acme', 'write', 'deploy bot');
      acmeRead = await create('acme', 'read');
      acmeAdmin = await create('acme', 'admin');
      globexAdmin = await create('globex', 'admin');
    });

    it('prints the key once as the last word; list shows id, tenant, scope and prefix but never the key', async () => {
      expect(acmeWrite.key).toMatch(/^tlk_[A-Za-z0-9_-]{32}$/);
      const r = await cli('list', '--json');
      expect(r.code).toBe(0);
      for (const k of [acmeWrite, acmeRead, acmeAdmin, globexAdmin]) expect(r.stdout).not.toContain(k.key);
      const items = JSON.parse(r.stdout) as Record<string, unknown>[];
      expect(items).toHaveLength(4);
      expect(items.find((i) => i.id === acmeWrite.id)).toEqual({
        id: acmeWrite.id,
        tenant: 'acme',
        scope: 'write',
        prefix: acmeWrite.key.slice(0, 12),
        name: 'deploy bot',
        created: expect.any(String),
        revoked: null,
      });
      const table = await cli('list', '--tenant', 'globex');
      expect(table.stdout).toContain(globexAdmin.id);
      expect(table.stdout).not.toContain(acmeWrite.id);
    });

    it('stores only the SHA-256 of a key', async () => {
      const rows = await sql<{ key_hash: string }>(engine.schema, 'select key_hash from api_keys');
      expect(rows.map((r) => r.key_hash)).toContain(createHash('sha256').update(acmeWrite.key).digest('hex'));
    });

    it('closes the API: without a key 401 problem+json within a few seconds, with a bad key 401', async () => {
      const noKey = await waitFor(
        async () => {
          const r = await http(`${engine.url}/v1/tasks`);
          return r.status === 401 ? r : null;
        },
        { timeoutMs: 5000, what: 'the API to need a key' },
      );
      expectProblem(noKey, 401);
      expect(noKey.headers.get('www-authenticate')).toMatch(/^Bearer/);
      expectProblem(await http(`${engine.url}/v1/tasks`, { headers: { 'x-api-key': 'tlk_not-a-key' } }), 401);
    });

    it("enqueues with a write key as the key's tenant, by Bearer or x-api-key", async () => {
      const r = await enqueue(as(acmeWrite));
      expect(r.status).toBe(202);
      expect(r.body.tenantId).toBe('acme');
      const other = await enqueue({ 'x-api-key': acmeWrite.key });
      expect(other.body.tenantId).toBe('acme');
    });

    it('gives a read key 200 on every view and 403 on enqueue, batch, cancel and retry', async () => {
      const task = (await enqueue(as(acmeWrite))).body;
      await waitFor(async () => (await http(`${engine.url}/v1/tasks/${task.id}`, { headers: as(acmeRead) })).body.status === 'completed');
      for (const path of ['/v1/tasks', `/v1/tasks/${task.id}`, `/v1/tasks/${task.id}/events`, '/v1/stats', '/v1/schedules']) {
        const r = await http(`${engine.url}${path}`, { headers: as(acmeRead) });
        expect([path, r.status]).toEqual([path, 200]);
      }
      const refused = await enqueue(as(acmeRead));
      expectProblem(refused, 403);
      expect(refused.body).toMatchObject({ code: 'SCOPE_INSUFFICIENT', scope: 'read', requiredScope: 'write' });
      expectProblem(
        await http(`${engine.url}/v1/tasks/batch`, { method: 'POST', headers: as(acmeRead), json: { items: [{ type: 'test.echo' }] } }),
        403,
      );
      expectProblem(await http(`${engine.url}/v1/tasks/${task.id}/cancel`, { method: 'POST', headers: as(acmeRead) }), 403);
      expectProblem(await http(`${engine.url}/v1/tasks/${task.id}/retry`, { method: 'POST', headers: as(acmeRead) }), 403);
      const list = await http(`${engine.url}/v1/tasks?limit=500`, { headers: as(acmeRead) });
      expect(list.body.items.filter((t: { type: string; tenantId: string }) => t.tenantId !== 'acme')).toEqual([]);
    });

    it('gives a write key 403 on admin routes (dead letters, schedule writes), which an admin key may use', async () => {
      expectProblem(await http(`${engine.url}/v1/dead-letters`, { headers: as(acmeWrite) }), 403);
      const schedule = { name: 'nightly', cron: '0 2 * * *', task: { type: 'test.echo' } };
      expectProblem(await http(`${engine.url}/v1/schedules`, { method: 'POST', headers: as(acmeWrite), json: schedule }), 403);
      expect((await http(`${engine.url}/v1/dead-letters`, { headers: as(acmeAdmin) })).status).toBe(200);
      const created = await http(`${engine.url}/v1/schedules`, { method: 'POST', headers: as(acmeAdmin), json: schedule });
      expect(created.status).toBe(201);
      expect((await http(`${engine.url}/v1/schedules/${created.body.id}`, { headers: as(acmeRead) })).status).toBe(200);
      expect((await http(`${engine.url}/v1/schedules/${created.body.id}`, { method: 'DELETE', headers: as(acmeAdmin) })).status).toBe(204);
    });

    it("keeps two tenants' keys apart: tasks, lists and dead letters", async () => {
      const failing = await enqueue(as(acmeWrite), { type: 'test.fail', payload: { message: 'acme only' }, maxAttempts: 1 });
      expect(failing.status).toBe(202);
      const id = failing.body.id as string;
      const letters = await waitFor(
        async () => {
          const r = await http(`${engine.url}/v1/dead-letters?taskId=${id}`, { headers: as(acmeAdmin) });
          return r.body.items?.length ? r.body.items : null;
        },
        { what: "acme's dead letter" },
      );
      expect(letters[0]).toMatchObject({ taskId: id, tenantId: 'acme' });

      expectProblem(await http(`${engine.url}/v1/tasks/${id}`, { headers: as(globexAdmin) }), 404);
      expectProblem(await http(`${engine.url}/v1/tasks/${id}/events`, { headers: as(globexAdmin) }), 404);
      expectProblem(await http(`${engine.url}/v1/tasks/${id}/retry`, { method: 'POST', headers: as(globexAdmin) }), 404);
      const list = await http(`${engine.url}/v1/tasks?limit=500`, { headers: as(globexAdmin) });
      expect(list.body.items.map((t: { id: string }) => t.id)).not.toContain(id);
      const theirLetters = await http(`${engine.url}/v1/dead-letters?limit=500`, { headers: as(globexAdmin) });
      expect(theirLetters.status).toBe(200);
      expect(theirLetters.body.items.map((l: { taskId: string }) => l.taskId)).not.toContain(id);
      const theirs = await enqueue(as(globexAdmin));
      expect(theirs.body.tenantId).toBe('globex');
      expectProblem(await http(`${engine.url}/v1/tasks/${theirs.body.id}`, { headers: as(acmeAdmin) }), 404);
    });

    it('answers 401 to a revoked key within a few seconds, while the other keys keep working', async () => {
      expect((await http(`${engine.url}/v1/tasks`, { headers: as(acmeWrite) })).status).toBe(200);
      const r = await cli('revoke', acmeWrite.id);
      expect(r.code).toBe(0);
      expect(r.stdout).toContain(`revoked API key ${acmeWrite.id}`);
      const refused = await waitFor(
        async () => {
          const res = await http(`${engine.url}/v1/tasks`, { headers: as(acmeWrite) });
          return res.status === 401 ? res : null;
        },
        { timeoutMs: 5000, intervalMs: 200, what: 'the revoked key to be refused' },
      );
      expectProblem(refused, 401);
      expect((await http(`${engine.url}/v1/tasks`, { headers: as(acmeRead) })).status).toBe(200);
      const listed = JSON.parse((await cli('list', '--json')).stdout) as { id: string; revoked: string | null }[];
      expect(listed.find((k) => k.id === acmeWrite.id)?.revoked).toEqual(expect.any(String));
      // Revoking every key does not open the API again.
      for (const k of [acmeRead, acmeAdmin, globexAdmin]) expect((await cli('revoke', k.id)).code).toBe(0);
      await waitFor(async () => (await http(`${engine.url}/v1/tasks`, { headers: as(acmeRead) })).status === 401, { timeoutMs: 5000 });
      expectProblem(await http(`${engine.url}/v1/tasks`), 401);
    });

    it('refuses bad CLI input with a message and exit code 1', async () => {
      const bad = await cli('create', '--tenant', 'has space');
      expect(bad.code).toBe(1);
      expect(bad.stderr).toContain('--tenant');
      const unknown = await cli('revoke', '01a21a00-6fb2-7237-9901-b5f6cafb884d');
      expect(unknown.code).toBe(1);
      expect(unknown.stderr).toContain('no API key');
      const scope = await cli('create', '--tenant', 'acme', '--scope', 'root');
      expect(scope.code).not.toBe(0);
    });
  });
});
