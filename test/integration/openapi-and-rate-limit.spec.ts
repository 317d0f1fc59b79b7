import SwaggerParser from '@apidevtools/swagger-parser';
import { TaskStatus } from '../../src/domain';
import { cleanup, http, startEngine, TestEngine } from '../support/engine';
import { TestHandlers } from '../support/test-handlers';

const LIMIT = 5;

describe('the API as documented at /docs, with a per-key rate limit', () => {
  let engine: TestEngine;
  const reader = { 'x-api-key': 'reader-key' };
  const admin = { authorization: 'Bearer admin-key' };
  const other = { authorization: 'Bearer other-key' };

  beforeAll(async () => {
    engine = await startEngine({
      label: 'openapi',
      handlers: [TestHandlers],
      config: {
        apiKeys: { 'reader-key': 'acme:read', 'admin-key': 'acme', 'other-key': 'acme:write' },
        rateLimit: LIMIT,
        rateLimitWindowMs: 60_000,
      },
    });
  });
  afterAll(async () => {
    await engine?.stop();
    if (engine) await cleanup(engine.prefix, engine.schema);
  });

  describe('OpenAPI', () => {
    let doc: any;

    beforeAll(async () => {
      const r = await http(`${engine.url}/docs-json`);
      expect(r.status).toBe(200);
      doc = r.body;
    });

    it('is a valid OpenAPI document (swagger-parser)', async () => {
      await expect(SwaggerParser.validate(structuredClone(doc))).resolves.toBeTruthy();
      const ui = await fetch(`${engine.url}/docs`);
      expect(ui.status).toBe(200);
      expect(ui.headers.get('content-type')).toContain('text/html');
    });

    it('lists every /v1 route the app serves, with its method', () => {
      const router = engine.app.getHttpAdapter().getInstance().router as {
        stack: { route?: { path: string; methods: Record<string, boolean> } }[];
      };
      const served = router.stack
        .filter((l) => l.route?.path.startsWith('/v1'))
        .flatMap((l) => Object.keys(l.route!.methods).map((m) => `${m.toUpperCase()} ${l.route!.path.replace(/:(\w+)/g, '{$1}')}`));
      const documented = Object.entries(doc.paths as Record<string, Record<string, unknown>>).flatMap(([path, ops]) =>
        Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`),
      );
      expect(served.length).toBeGreaterThan(10);
      expect(documented).toEqual(expect.arrayContaining(served));
    });

    it('documents every error response as application/problem+json with the shared Problem schema', () => {
      let errors = 0;
      for (const [path, ops] of Object.entries(doc.paths as Record<string, Record<string, any>>)) {
        for (const [method, op] of Object.entries(ops)) {
          for (const [status, response] of Object.entries(op.responses as Record<string, any>)) {
            if (Number(status) < 400) continue;
            errors++;
            expect([method, path, status, Object.keys(response.content ?? {})]).toEqual([
              method,
              path,
              status,
              ['application/problem+json'],
            ]);
            expect(response.content['application/problem+json'].schema.$ref).toBe('#/components/schemas/ProblemDto');
          }
          if (path.startsWith('/v1')) expect(Object.keys(op.responses)).toEqual(expect.arrayContaining(['401', '403', '429']));
          expect([method, path, Object.keys(op.responses).some((s) => s.startsWith('2'))]).toEqual([method, path, true]);
        }
      }
      expect(errors).toBeGreaterThan(50);
      expect(doc.components.schemas.ProblemDto.required).toEqual(expect.arrayContaining(['type', 'title', 'status', 'detail']));
    });

    it('offers Bearer and x-api-key, and takes request shapes from the zod schemas that validate them', () => {
      expect(doc.components.securitySchemes).toMatchObject({
        bearer: { type: 'http', scheme: 'bearer' },
        'api-key': { type: 'apiKey', in: 'header', name: 'x-api-key' },
      });
      expect(doc.paths['/v1/tasks'].post.security).toEqual([{ bearer: [] }, { 'api-key': [] }]);
      expect(doc.paths['/v1/tasks/{id}'].get.responses['200'].content['application/json'].schema.$ref).toBe('#/components/schemas/TaskDto');
      const enqueue = doc.components.schemas.EnqueueBodyDto;
      expect(enqueue.required).toEqual(['type']);
      expect(enqueue.properties.priority).toMatchObject({ type: 'integer', minimum: 1, maximum: 10 });
      expect(enqueue.additionalProperties).toBe(false);
      const limit = doc.paths['/v1/tasks'].get.parameters.find((p: { name: string }) => p.name === 'limit');
      expect(limit).toMatchObject({ in: 'query', required: false, schema: { minimum: 1, maximum: 500, default: 50 } });
    });

    it.each(['/v1/tasks', '/v1/tasks/count'])('documents every search parameter of GET %s, each described', (path) => {
      const params = doc.paths[path].get.parameters as { name: string; in: string; description?: string; schema: any; style?: string }[];
      const byName = Object.fromEntries(params.map((p) => [p.name, p]));
      expect(Object.keys(byName).sort()).toEqual(
        [
          'status',
          'type',
          'label',
          'createdFrom',
          'createdTo',
          'finishedFrom',
          'finishedTo',
          'sort',
          'order',
          'limit',
          'cursor',
          'payload.<path>',
          'label.<key>',
        ].sort(),
      );
      for (const p of params) expect([p.name, p.in, (p.description ?? '').length > 10]).toEqual([p.name, 'query', true]);
      expect(byName.status).toMatchObject({ style: 'form', explode: true, schema: { type: 'array', items: { type: 'string' } } });
      expect(byName.status.schema.items.enum.sort()).toEqual(Object.values(TaskStatus).sort());
      expect(byName.type.schema).toMatchObject({ type: 'array', items: { type: 'string' } });
      for (const name of ['createdFrom', 'createdTo', 'finishedFrom', 'finishedTo']) {
        expect(byName[name].schema).toMatchObject({ type: 'string', format: 'date-time' });
      }
      expect(byName.sort.schema).toMatchObject({ enum: ['createdAt', 'finishedAt'], default: 'createdAt' });
      expect(byName.order.schema).toMatchObject({ enum: ['asc', 'desc'], default: 'desc' });
      expect(byName.cursor.schema).toMatchObject({ type: 'string', maxLength: 500 });
      expect(byName['payload.<path>'].schema).toMatchObject({ type: 'string' });
      expect(byName['payload.<path>'].description).toContain('payload.customer.id=42');
      expect(byName['label.<key>'].description).toContain('label.env=prod');
    });
  });

  describe('rate limit and env key scopes', () => {
    it("answers a key's request over the limit with 429 problem+json and Retry-After; another key has its own budget", async () => {
      const answers = [];
      for (let i = 0; i < LIMIT; i++) answers.push(await http(`${engine.url}/v1/tasks`, { headers: reader }));
      expect(answers.map((a) => a.status)).toEqual(Array(LIMIT).fill(200));
      // The budget is per key, across routes.
      const over = await http(`${engine.url}/v1/stats`, { headers: reader });
      expect(over.status).toBe(429);
      expect(over.headers.get('content-type')).toContain('application/problem+json');
      expect(over.body).toMatchObject({ status: 429, code: 'RATE_LIMITED', limit: LIMIT });
      const retryAfter = Number(over.headers.get('retry-after'));
      expect(retryAfter).toBeGreaterThan(0);
      expect(retryAfter).toBeLessThanOrEqual(60);
      expect((await http(`${engine.url}/v1/tasks`, { headers: admin })).status).toBe(200);
    });

    it('does not limit health, metrics and docs', async () => {
      for (let i = 0; i < LIMIT * 3; i++) {
        for (const path of ['/health/live', '/metrics', '/docs-json']) {
          const r = await http(`${engine.url}${path}`, { headers: reader });
          expect([path, r.status]).toEqual([path, 200]);
        }
      }
    });

    it('takes a scope suffix on TASKLOG_API_KEYS entries (key:tenant:scope; none is admin)', async () => {
      const write = await http(`${engine.url}/v1/tasks`, { method: 'POST', headers: other, json: { type: 'test.echo' } });
      expect(write.status).toBe(202);
      expect(write.body.tenantId).toBe('acme');
      const deadLetters = await http(`${engine.url}/v1/dead-letters`, { headers: other });
      expect(deadLetters.status).toBe(403);
      expect((await http(`${engine.url}/v1/dead-letters`, { headers: admin })).status).toBe(200);
    });
  });
});
