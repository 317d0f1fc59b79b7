import { trace } from '@opentelemetry/api';
import { parseTraceparent, runTraced, startRunTrace, validTraceparent } from './trace-context';

const TP = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';

describe('trace context', () => {
  it('parses a W3C traceparent and refuses invalid ones', () => {
    expect(parseTraceparent(TP)).toMatchObject({ traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId: '00f067aa0ba902b7', traceFlags: 1 });
    for (const bad of [
      undefined,
      '',
      'nonsense',
      TP.replace('4bf9', '0000').replace(/[0-9a-f]{32}/, '0'.repeat(32)),
      `ff${TP.slice(2)}`,
      `${TP}-x`,
    ]) {
      expect(parseTraceparent(bad)).toBeNull();
    }
    expect(validTraceparent(` ${TP} `)).toBe(TP);
    expect(validTraceparent('00-zz')).toBeUndefined();
  });

  it('gives the handler the trace id, without an SDK registered (no-op tracer)', async () => {
    const t = startRunTrace(TP, 'demo', {});
    expect(t.traceId).toBe('4bf92f3577b34da6a3ce929d0e0e4736');
    expect(trace.getSpanContext(t.context)?.traceId).toBe(t.traceId);
    await expect(runTraced(t, () => 42)).resolves.toBe(42);
    expect(startRunTrace(undefined, 'demo', {}).traceId).toBeUndefined();
  });
});
