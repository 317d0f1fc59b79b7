import { loadConfig } from './tasklog.config';

describe('loadConfig', () => {
  it('gives working defaults for a local machine', () => {
    const c = loadConfig({ KAFKA_BROKERS: '127.0.0.1:9092', DATABASE_URL: 'postgres://u@h:5432/db' });
    expect(c.port).toBe(3000);
    expect(c.roles).toEqual(['api', 'worker', 'projector', 'scheduler']);
    expect(c.maxPayloadBytes).toBe(1024 * 1024);
  });

  it.each([
    ['PORT', 'abc'],
    ['TASKLOG_ROLES', 'api,chef'],
    ['KAFKA_BROKERS', 'no-port-here'],
    ['TASKLOG_CONCURRENCY', '0'],
  ])('stops with a message naming %s when it is bad', (name, value) => {
    expect(() => loadConfig({ [name]: value })).toThrow(new RegExp(`${name}=.*${value}`));
  });
});
