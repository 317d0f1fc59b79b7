import { Context, context, isSpanContextValid, ROOT_CONTEXT, Span, SpanContext, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';

/** version-traceid-parentid-flags (W3C Trace Context, level 1); later versions may append fields. */
const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-.*)?$/;

/**
 * The span context of a W3C `traceparent`, or null when it is absent or invalid (which the spec
 * says to ignore). Parsed here: the API's global propagator is a no-op until an SDK registers one.
 */
export function parseTraceparent(value: string | undefined): SpanContext | null {
  const m = value ? TRACEPARENT.exec(value.trim()) : null;
  if (!m || m[1] === 'ff' || (m[1] === '00' && m[5])) return null;
  const sc: SpanContext = { traceId: m[2], spanId: m[3], traceFlags: parseInt(m[4], 16) & 1, isRemote: true };
  return isSpanContextValid(sc) ? sc : null;
}

/** The traceparent itself when valid, else undefined: what may travel in Kafka headers. */
export function validTraceparent(value: string | undefined): string | undefined {
  return parseTraceparent(value) ? value!.trim() : undefined;
}

export interface RunTrace {
  /** The context a handler runs in: its span (`tasklog.run <type>`) under the enqueuing request's trace. */
  context: Context;
  span: Span;
  /** The trace id, when there is a trace (a valid traceparent came along, or an SDK started one). */
  traceId?: string;
}

/**
 * Starts the span of one handler run, child of the traceparent's context. Without an SDK the
 * API's no-op tracer returns the parent's span context, so this costs nothing and the trace id
 * still reaches the handler.
 */
export function startRunTrace(traceparent: string | undefined, taskType: string, attributes: Record<string, string | number>): RunTrace {
  const parent = parseTraceparent(traceparent);
  const parentContext = parent ? trace.setSpanContext(ROOT_CONTEXT, parent) : ROOT_CONTEXT;
  const span = trace.getTracer('tasklog').startSpan(`tasklog.run ${taskType}`, { kind: SpanKind.CONSUMER, attributes }, parentContext);
  const own = span.spanContext();
  const traceId = isSpanContextValid(own) ? own.traceId : parent?.traceId;
  return { context: trace.setSpan(parentContext, span), span, traceId };
}

/** Runs `fn` inside the trace and ends the span when it settles (an error marks the span). */
export function runTraced<T>(t: RunTrace, fn: () => T | Promise<T>): Promise<T> {
  const done = context.with(t.context, async () => fn());
  done.then(
    () => t.span.end(),
    (e: unknown) => {
      t.span.recordException(e instanceof Error ? e : String(e));
      t.span.setStatus({ code: SpanStatusCode.ERROR, message: e instanceof Error ? e.message : String(e) });
      t.span.end();
    },
  );
  return done;
}
