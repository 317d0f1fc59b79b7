import { decodeEvent, EventDecodeError } from './event.codec';
import { EVENT_VERSIONS } from './event.schemas';
import { EventType } from './event-types';
import { upcast } from './upcasters';

const v1Failed = {
  id: '01970000-0000-7000-8000-000000000001',
  type: 'task.failed',
  v: 1,
  taskId: '01970000-0000-7000-8000-000000000002',
  tenantId: 'acme',
  at: '2026-11-26T20:00:00.000Z',
  attempt: 1,
  data: { error: { name: 'TypeError', message: 'it broke', retryable: true }, willRetry: false },
};

describe('when a v1 task.failed is read', () => {
  it('decodes as v2 with the class name as its code', () => {
    const e = decodeEvent(JSON.stringify(v1Failed));
    expect(e.v).toBe(EVENT_VERSIONS[EventType.FAILED]);
    expect(e.data).toEqual({ error: { name: 'TypeError', message: 'it broke', retryable: true, code: 'TypeError' }, willRetry: false });
  });

  it('leaves a current record as it is', () => {
    const v2 = { ...v1Failed, v: 2, data: { error: { ...v1Failed.data.error, code: 'E_QUOTA', stack: 'at x' }, willRetry: false } };
    expect(upcast(v2)).toBe(v2);
    expect(decodeEvent(JSON.stringify(v2)).data).toEqual(v2.data);
  });

  it('refuses a version newer than the reader knows, saying so', () => {
    expect(() => decodeEvent(JSON.stringify({ ...v1Failed, v: 3 }))).toThrow(EventDecodeError);
    expect(() => decodeEvent(JSON.stringify({ ...v1Failed, v: 3 }))).toThrow(/v3 is newer than this reader knows \(v2\)/);
  });

  it('keeps v1 of types that never changed', () => {
    const queued = { ...v1Failed, type: 'task.queued', data: { attempt: 1 } };
    expect(decodeEvent(JSON.stringify(queued)).v).toBe(1);
  });
});
