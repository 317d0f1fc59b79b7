import { loadConfig, resolveConfig } from './tasklog.config';

describe('loadConfig', () => {
  it('gives working defaults for a local machine', () => {
    const c = loadConfig({ KAFKA_BROKERS: '127.0.0.1:9092', DATABASE_URL: 'postgres://u@h:5432/db' });
    expect(c.port).toBe(3000);
    expect(c.roles).toEqual(['api', 'worker', 'projector', 'scheduler']);
    expect(c.maxPayloadBytes).toBe(1024 * 1024);
    expect(c.eventsRetentionMs).toBe(-1);
  });

  it('takes an events retention of -1 or at least an hour', () => {
    expect(loadConfig({ TASKLOG_EVENTS_RETENTION_MS: String(90 * 86_400_000) }).eventsRetentionMs).toBe(90 * 86_400_000);
    expect(() => loadConfig({ TASKLOG_EVENTS_RETENTION_MS: '1000' })).toThrow(/TASKLOG_EVENTS_RETENTION_MS="1000": expected -1/);
  });

  it.each([
    ['PORT', 'abc'],
    ['TASKLOG_ROLES', 'api,chef'],
    ['KAFKA_BROKERS', 'no-port-here'],
    ['TASKLOG_CONCURRENCY', '0'],
    ['TASKLOG_API_KEYS', 'k1:acme:root'],
    ['TASKLOG_RATE_LIMIT', '-1'],
    ['TASKLOG_RATE_LIMIT_WINDOW_MS', '0'],
  ])('stops with a message naming %s when it is bad', (name, value) => {
    expect(() => loadConfig({ [name]: value })).toThrow(new RegExp(`${name}=.*${value}`));
  });

  it('reads API keys as key:tenant or key:tenant:scope, and the rate limit (default 2000 per second)', () => {
    const c = loadConfig({ TASKLOG_API_KEYS: 'k1:acme, k2:globex:read' });
    expect({ ...c.apiKeys }).toEqual({ k1: 'acme', k2: 'globex:read' });
    expect([c.rateLimit, c.rateLimitWindowMs]).toEqual([2000, 1000]);
    expect(loadConfig({ TASKLOG_RATE_LIMIT: '0' }).rateLimit).toBe(0);
  });
});

describe('resolveConfig', () => {
  const env = { KAFKA_BROKERS: '127.0.0.1:9092', TASKLOG_DB_SCHEMA: 'from_env' };

  it('lets options given in code override the environment', () => {
    const c = resolveConfig({ dbSchema: 'from_code', topicPrefix: 'billing', apiKeys: { k1: 'acme' } }, env);
    expect(c.dbSchema).toBe('from_code');
    expect(c.topicPrefix).toBe('billing');
    expect(c.apiKeys.k1).toBe('acme');
    expect(resolveConfig({ dbSchema: undefined }, env).dbSchema).toBe('from_env');
  });

  // Options from code used to bypass the checks the environment gets; the schema name goes into SQL.
  it.each([
    ['dbSchema', 'x"; drop schema public cascade; --'],
    ['dbSchema', ''],
    ['dbSchema', 'Upper'],
    ['topicPrefix', 'has space'],
    ['topicPrefix', ''],
    ['brokers', ['no-port']],
    ['port', -1],
    ['concurrency', 0],
    ['roles', ['api', 'chef']],
    ['apiKeys', { 'key:with:colons': 'acme' }],
    ['apiKeys', { k1: 'tenant with space' }],
    ['apiKeys', { k1: 'acme:superuser' }],
    ['rateLimit', -5],
  ])('stops with a message naming the option %s when it is %j', (name, value) => {
    expect(() => resolveConfig({ [name]: value }, env)).toThrow(new RegExp(`invalid Tasklog options: ${name}[.=]`));
  });

  it('keeps the key record free of a prototype, so no inherited name is a key', () => {
    const c = resolveConfig({ apiKeys: { k1: 'acme' } }, env);
    expect(Object.getPrototypeOf(c.apiKeys)).toBeNull();
    expect(Object.getPrototypeOf(loadConfig({ TASKLOG_API_KEYS: 'k1:acme' }).apiKeys)).toBeNull();
  });
});
