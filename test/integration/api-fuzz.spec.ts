import { brotliCompressSync, gzipSync } from 'node:zlib';
import { cleanup, http, startEngine, TestEngine } from '../support/engine';
import { rawHead, rawRequest, RawResponse } from '../support/raw-http';
import { TestHandlers } from '../support/test-handlers';
import { waitFor } from '../support/wait-for';

const KEY = 'fuzz-key';
const MiB = 1024 * 1024;

interface Case {
  name: string;
  method?: string;
  path?: string;
  /** Sent as given; `x-api-key` is added unless `auth` is false. */
  headers?: Record<string, string>;
  body?: string | Buffer;
  /** Serialised as the body. */
  json?: unknown;
  /** A body goes as `application/json` unless `headers` name another type, or this is false. */
  contentType?: false;
  auth?: boolean;
  /** The exact status expected, where the contract fixes one. */
  status?: number;
}

const json = (v: unknown) => JSON.stringify(v);
const task = (extra: Record<string, unknown>) => ({ type: 'test.echo', ...extra });
const nest = (depth: number, open: string, close: string, inner = '1') => `${open.repeat(depth)}${inner}${close.repeat(depth)}`;
/** A header value carrying UTF-8 bytes (Node reads header bytes as latin1, as a browser would send them). */
const utf8Header = (s: string) => Buffer.from(s, 'utf8').toString('latin1');

/** Hostile requests; each must answer below 500, errors as problem+json whose `status` is the HTTP status. */
const CASES: Case[] = [
  // Wrong types, field by field.
  { name: 'type is a number', json: { type: 42 }, status: 400 },
  { name: 'type is null', json: { type: null }, status: 400 },
  { name: 'type is empty', json: { type: '' }, status: 400 },
  { name: 'type is 201 chars', json: { type: 't'.repeat(201) }, status: 400 },
  { name: 'type is an array', json: { type: ['test.echo'] }, status: 400 },
  { name: 'type is missing', json: { payload: 1 }, status: 400 },
  { name: 'priority is a string', json: task({ priority: '5' }), status: 400 },
  { name: 'priority is 0', json: task({ priority: 0 }), status: 400 },
  { name: 'priority is 11', json: task({ priority: 11 }), status: 400 },
  { name: 'priority is fractional', json: task({ priority: 5.5 }), status: 400 },
  { name: 'priority overflows to Infinity', body: '{"type":"test.echo","priority":1e400}', status: 400 },
  { name: 'maxAttempts is negative', json: task({ maxAttempts: -1 }), status: 400 },
  { name: 'maxAttempts is an object', json: task({ maxAttempts: {} }), status: 400 },
  { name: 'backoff is a string', json: task({ backoff: 'exponential' }), status: 400 },
  { name: 'backoff type is unknown', json: task({ backoff: { type: 'random' } }), status: 400 },
  { name: 'timeoutMs is 0', json: task({ timeoutMs: 0 }), status: 400 },
  { name: 'timeoutMs is a string', json: task({ timeoutMs: '1000' }), status: 400 },
  { name: 'idempotencyKey is a number', json: task({ idempotencyKey: 123 }), status: 400 },
  { name: 'idempotencyKey is empty', json: task({ idempotencyKey: '' }), status: 400 },
  { name: 'idempotencyKey is 201 chars', json: task({ idempotencyKey: 'k'.repeat(201) }), status: 400 },
  { name: 'concurrencyKey is an array', json: task({ concurrencyKey: [] }), status: 400 },
  { name: 'labels is a string', json: task({ labels: 'a=b' }), status: 400 },
  { name: 'a label value is a number', json: task({ labels: { a: 1 } }), status: 400 },
  { name: 'a label value is an object', json: task({ labels: { a: { b: 'c' } } }), status: 400 },
  { name: 'correlationId is a boolean', json: task({ correlationId: false }), status: 400 },
  { name: 'traceparent is 201 chars', json: task({ traceparent: 't'.repeat(201) }), status: 400 },
  { name: 'an unknown field', json: task({ priorty: 3 }), status: 400 },
  { name: 'the body is an array', json: [task({})], status: 400 },
  { name: 'the body is a string', body: '"test.echo"', status: 400 },
  { name: 'the body is null', body: 'null', status: 400 },
  { name: 'the body is empty JSON', json: {}, status: 400 },
  { name: 'the body is cut short', body: '{"type":', status: 400 },
  { name: 'a key appears twice (the last wins)', body: '{"type":"nope","type":"test.echo"}', status: 202 },

  // Size.
  { name: 'a payload just over 1 MiB', json: task({ payload: 'x'.repeat(MiB + 1) }), status: 413 },
  { name: 'a 3 MiB body', json: task({ payload: 'x'.repeat(3 * MiB) }), status: 413 },
  { name: '5000 labels', json: task({ labels: Object.fromEntries(Array.from({ length: 5000 }, (_, i) => [`k${i}`, 'v'])) }) },

  // Nesting.
  // Payloads nest at most 64 levels (checked before JSON.stringify could overflow the stack).
  { name: 'a payload nested 10000 arrays deep', body: `{"type":"test.echo","payload":${nest(10000, '[', ']')}}`, status: 400 },
  { name: 'a payload nested 100 objects deep', body: `{"type":"test.echo","payload":${nest(100, '{"a":', '}')}}`, status: 400 },
  { name: 'labels nested 10000 deep', body: `{"type":"test.echo","labels":{"a":${nest(10000, '[', ']')}}}`, status: 400 },
  { name: 'an unknown field nested 100000 deep', body: `{"type":"test.echo","x":${nest(100000, '[', ']')}}`, status: 400 },

  // Encodings and headers that lie.
  { name: 'gzip claimed, plain body', headers: { 'content-encoding': 'gzip' }, json: task({}), status: 400 },
  { name: 'deflate claimed, plain body', headers: { 'content-encoding': 'deflate' }, json: task({}), status: 400 },
  { name: 'br claimed, plain body', headers: { 'content-encoding': 'br' }, json: task({}), status: 400 },
  { name: 'an unsupported content-encoding', headers: { 'content-encoding': 'compress' }, json: task({}), status: 415 },
  { name: 'a real gzip body', headers: { 'content-encoding': 'gzip' }, body: gzipSync(json(task({}))), status: 202 },
  { name: 'a real br body', headers: { 'content-encoding': 'br' }, body: brotliCompressSync(json(task({}))), status: 202 },
  {
    name: 'a gzip bomb over the limit',
    headers: { 'content-encoding': 'gzip' },
    body: gzipSync(json(task({ payload: '0'.repeat(8 * MiB) }))),
    status: 413,
  },
  { name: 'charset latin1', headers: { 'content-type': 'application/json; charset=latin1' }, json: task({}), status: 415 },
  { name: 'charset utf-16 over UTF-8 bytes', headers: { 'content-type': 'application/json; charset=utf-16' }, json: task({}), status: 400 },
  {
    name: 'a real UTF-16LE body',
    headers: { 'content-type': 'application/json; charset=utf-16le' },
    body: Buffer.from(json(task({})), 'utf16le'),
  },
  { name: 'content-length is not a number', headers: { 'content-length': 'abc' }, json: task({}), status: 400 },
  { name: 'content-length shorter than the body', headers: { 'content-length': '5' }, json: task({}), status: 400 },
  {
    name: 'content-length and chunked together',
    headers: { 'transfer-encoding': 'chunked', 'content-length': '3' },
    body: '3\r\n{}\n\r\n0\r\n\r\n',
    status: 400,
  },
  {
    name: 'a chunked body',
    headers: { 'transfer-encoding': 'chunked' },
    body: `${json(task({})).length.toString(16)}\r\n${json(task({}))}\r\n0\r\n\r\n`,
    status: 202,
  },
  { name: 'headers over 16 kB', headers: { 'x-filler': 'f'.repeat(20 * 1024) }, json: task({}), status: 431 },
  { name: 'text/plain', headers: { 'content-type': 'text/plain' }, body: json(task({})), status: 415 },
  { name: 'a form', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'type=test.echo', status: 415 },
  { name: 'multipart', headers: { 'content-type': 'multipart/form-data; boundary=b' }, body: '--b\r\n\r\nx\r\n--b--', status: 415 },
  { name: 'no content-type', contentType: false, body: json(task({})), status: 415 },
  { name: 'a +json media type', headers: { 'content-type': 'application/merge-patch+json' }, json: task({}), status: 202 },

  // Unicode edge cases.
  { name: 'NUL in type', json: { type: 'test.echo\u0000' }, status: 400 },
  // Postgres refuses NUL in jsonb; 400 naming payload.
  { name: 'NUL in payload', json: task({ payload: 'a\u0000b' }), status: 400 },
  // an unpaired surrogate cannot be stored either.
  { name: 'a lone surrogate in payload', json: task({ payload: '\ud800' }), status: 400 },
  { name: 'NUL in a payload key', json: task({ payload: { 'a\u0000': 1 } }), status: 400 },
  { name: 'NUL in a label', json: task({ labels: { a: 'b\u0000' } }), status: 400 },
  { name: 'NUL in the idempotencyKey field', json: task({ idempotencyKey: 'k\u0000' }), status: 400 },
  {
    name: 'RTL override and emoji in payload and labels',
    json: task({ payload: '\u202e🎉 שלום', labels: { '🎉': '\u202eevil' } }),
    status: 202,
  },
  { name: 'emoji in the Idempotency-Key header', headers: { 'idempotency-key': utf8Header('🎉-fuzz') }, json: task({}), status: 202 },
  // keys are at most 200 characters, from the header as from the body.
  { name: 'a 300-char Idempotency-Key header', headers: { 'idempotency-key': 'k'.repeat(300) }, json: task({}), status: 400 },
  { name: 'emoji in a query', method: 'GET', path: '/v1/tasks?type=%F0%9F%8E%89', status: 200 },
  { name: 'RTL override in a query', method: 'GET', path: '/v1/tasks?type=%E2%80%AE', status: 200 },
  { name: 'NUL in the type filter', method: 'GET', path: '/v1/tasks?type=%00', status: 400 },
  { name: 'NUL in the status filter', method: 'GET', path: '/v1/tasks?status=queued,%00', status: 400 },
  { name: 'NUL in the cursor', method: 'GET', path: '/v1/tasks?cursor=%00', status: 400 },
  { name: 'invalid UTF-8 in a query', method: 'GET', path: '/v1/tasks?type=%ED%A0%80%FF', status: 200 },
  { name: 'a cursor that is not an id', method: 'GET', path: '/v1/tasks?cursor=nope', status: 400 },
  { name: 'a negative limit', method: 'GET', path: '/v1/tasks?limit=-1', status: 400 },
  { name: 'a limit of 1e400', method: 'GET', path: '/v1/tasks?limit=1e400', status: 400 },
  { name: 'a status given twice (both are asked for)', method: 'GET', path: '/v1/tasks?status=queued&status=running', status: 200 },
  { name: 'a payload filter given twice', method: 'GET', path: '/v1/tasks?payload.a=1&payload.a=2', status: 400 },
  { name: 'a 4000-char type filter', method: 'GET', path: `/v1/tasks?type=${'t'.repeat(4000)}`, status: 200 },

  // Paths.
  { name: '.. in the path', method: 'GET', path: '/v1/tasks/../stats', status: 404 },
  { name: 'encoded .. in the path', method: 'GET', path: '/v1/tasks/%2e%2e/stats', status: 404 },
  { name: 'double slashes', method: 'GET', path: '//v1//tasks', status: 404 },
  { name: 'a 5000-char id', method: 'GET', path: `/v1/tasks/${'a'.repeat(5000)}`, status: 404 },
  { name: 'the id __proto__', method: 'GET', path: '/v1/tasks/__proto__', status: 404 },
  { name: 'the id constructor, events', method: 'GET', path: '/v1/tasks/constructor/events', status: 404 },
  { name: 'a NUL id', method: 'GET', path: '/v1/tasks/%00', status: 400 },
  { name: 'a NUL id, events', method: 'GET', path: '/v1/tasks/%00/events', status: 400 },
  { name: 'a broken percent-escape in the id', method: 'GET', path: '/v1/tasks/%ZZ' },
  { name: 'an emoji id', method: 'GET', path: '/v1/tasks/%F0%9F%8E%89', status: 404 },
  { name: 'a valid-looking id of no task', method: 'GET', path: '/v1/tasks/01900000-0000-7000-8000-000000000000', status: 404 },

  // Prototype pollution.
  { name: '__proto__ at the top', body: '{"type":"test.echo","__proto__":{"polluted":1}}', status: 400 },
  { name: 'constructor.prototype at the top', json: task({ constructor: { prototype: { polluted: 1 } } }), status: 400 },
  { name: '__proto__ inside the payload', body: '{"type":"test.echo","payload":{"__proto__":{"polluted":1}}}', status: 202 },
  { name: '__proto__ as a label', body: '{"type":"test.echo","labels":{"__proto__":"x"}}' },
  { name: 'the type __proto__', json: { type: '__proto__' }, status: 422 },
  { name: 'the type constructor', json: { type: 'constructor' }, status: 422 },
  {
    name: '__proto__ in the query',
    method: 'GET',
    path: '/v1/tasks?__proto__[polluted]=1&constructor[prototype][polluted]=1',
    // Unknown query parameters are refused (a misspelt filter would otherwise match everything).
    status: 400,
  },

  // Methods.
  { name: 'PUT on the collection', method: 'PUT', path: '/v1/tasks', json: task({}), status: 404 },
  { name: 'DELETE on the collection', method: 'DELETE', path: '/v1/tasks', status: 404 },
  { name: 'PATCH on the collection', method: 'PATCH', path: '/v1/tasks', json: task({}), status: 404 },
  { name: 'POST on a task', method: 'POST', path: '/v1/tasks/01900000-0000-7000-8000-000000000000', json: task({}), status: 404 },
  { name: 'TRACE on the collection', method: 'TRACE', path: '/v1/tasks', status: 404 },
  { name: 'a made-up method', method: 'BREW', path: '/v1/tasks', status: 400 },
  { name: 'GET with a body', method: 'GET', path: '/v1/tasks', json: task({}), status: 200 },

  // API keys (the engine is configured with one).
  { name: 'no API key', auth: false, method: 'GET', path: '/v1/tasks', status: 401 },
  { name: 'x-api-key __proto__', auth: false, method: 'GET', path: '/v1/tasks', headers: { 'x-api-key': '__proto__' }, status: 401 },
  { name: 'x-api-key constructor', auth: false, method: 'GET', path: '/v1/tasks', headers: { 'x-api-key': 'constructor' }, status: 401 },
  { name: 'x-api-key toString', auth: false, json: task({}), headers: { 'x-api-key': 'toString' }, status: 401 },
  {
    name: 'Bearer hasOwnProperty',
    auth: false,
    method: 'GET',
    path: '/v1/stats',
    headers: { authorization: 'Bearer hasOwnProperty' },
    status: 401,
  },
  { name: 'a bare Bearer', auth: false, method: 'GET', path: '/v1/tasks', headers: { authorization: 'Bearer' }, status: 401 },
  {
    name: 'Bearer in lower case with extra spaces',
    auth: false,
    method: 'GET',
    path: '/v1/tasks',
    headers: { authorization: `bearer    ${KEY}` },
    status: 200,
  },
  {
    name: 'Basic credentials',
    auth: false,
    method: 'GET',
    path: '/v1/tasks',
    headers: { authorization: 'Basic Zm9vOmJhcg==' },
    status: 401,
  },
  { name: 'a 10 kB key', auth: false, method: 'GET', path: '/v1/tasks', headers: { 'x-api-key': 'k'.repeat(10 * 1024) }, status: 401 },
  { name: 'the key twice', auth: false, method: 'GET', path: '/v1/tasks', headers: { 'x-api-key': `${KEY}, ${KEY}` }, status: 401 },
  {
    name: 'the key with a UTF-8 suffix',
    auth: false,
    method: 'GET',
    path: '/v1/tasks',
    headers: { 'x-api-key': utf8Header(`${KEY}é`) },
    status: 401,
  },
];

function requestBytes(c: Case): Buffer {
  const headers: Record<string, string> = {};
  const body = c.json !== undefined ? json(c.json) : c.body;
  if (body !== undefined && c.contentType !== false) headers['content-type'] = 'application/json';
  Object.assign(headers, c.headers ?? {});
  if (c.auth !== false) headers['x-api-key'] = KEY;
  return rawHead(c.method ?? 'POST', c.path ?? '/v1/tasks', headers, body);
}

describe('the REST API under hostile requests', () => {
  let engine: TestEngine;
  const accepted: { name: string; id: string }[] = [];

  beforeAll(async () => {
    engine = await startEngine({ label: 'fuzz', handlers: [TestHandlers], config: { apiKeys: { [KEY]: 'fuzz' } } });
  });
  afterAll(async () => {
    await engine?.stop();
    if (engine) await cleanup(engine.prefix, engine.schema);
  });

  it('has a table large enough to mean something', () => {
    expect(CASES.length).toBeGreaterThanOrEqual(60);
  });

  it.each(CASES.map((c) => [c.name, c] as const))('%s: no 5xx, errors as problem+json', async (_, c) => {
    const r: RawResponse = await rawRequest(engine.url, requestBytes(c));
    expect(r.status).toBeLessThan(500);
    if (r.status >= 400) {
      expect(r.headers['content-type']).toContain('application/problem+json');
      expect(r.body.status).toBe(r.status);
    }
    if (r.status === 202) accepted.push({ name: c.name, id: r.body.id });
    if (c.status !== undefined) expect({ status: r.status, detail: r.body?.detail }).toMatchObject({ status: c.status });
  });

  it('pollutes no prototype', () => {
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect((Object.prototype as unknown as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('makes every accepted task visible by id', async () => {
    expect(accepted.length).toBeGreaterThan(0);
    let pending: string[] = [];
    const visible = await waitFor(
      async () => {
        pending = [];
        for (const a of accepted) {
          const r = await http(`${engine.url}/v1/tasks/${a.id}`, { headers: { 'x-api-key': KEY } });
          if (r.status !== 200) pending.push(`${a.name} (${a.id}): ${r.status}`);
        }
        return pending.length === 0;
      },
      { timeoutMs: 30000, what: 'every accepted task to be visible' },
    ).catch(() => false);
    // Names the tasks that never showed, rather than only timing out.
    expect(visible ? [] : pending).toEqual([]);
  }, 60000);
});
