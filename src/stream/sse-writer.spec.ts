import { EventEmitter } from 'node:events';
import { Response } from 'express';
import { SseWriter } from './sse-writer';

/** Enough of an express response to watch what the writer does with it. */
class FakeResponse extends EventEmitter {
  headersSent = false;
  statusCode = 0;
  headers: Record<string, string> = {};
  chunks: string[] = [];
  writableLength = 0;
  writableNeedDrain = false;
  destroyed = false;
  ended = false;
  socket = null;
  status(code: number) {
    this.statusCode = code;
    return this;
  }
  setHeader(name: string, value: string) {
    this.headers[name] = value;
  }
  flushHeaders() {
    this.headersSent = true;
  }
  write(chunk: string) {
    this.chunks.push(chunk);
    this.writableLength += chunk.length;
    return true;
  }
  end() {
    this.headersSent = true;
    this.ended = true;
    this.emit('close');
  }
  destroy() {
    this.destroyed = true;
    this.emit('close');
  }
}

const options = { keepAliveMs: 1000, retryMs: 1000, maxBufferedBytes: 200 };

describe('SseWriter', () => {
  afterEach(() => jest.useRealTimers());

  it('frames events with id and name, after the stream headers and the retry field', () => {
    const res = new FakeResponse();
    new SseWriter(res as unknown as Response, options).event({ a: 1 }, { id: '0:4', name: 'ready' });
    expect(res.headers['content-type']).toContain('text/event-stream');
    expect(res.chunks).toEqual(['retry: 1000\n\n', 'id: 0:4\nevent: ready\ndata: {"a":1}\n\n']);
  });

  it('sends a keep-alive comment when idle', () => {
    jest.useFakeTimers();
    const res = new FakeResponse();
    new SseWriter(res as unknown as Response, options).open();
    jest.advanceTimersByTime(2500);
    expect(res.chunks.filter((c) => c === ': keep-alive\n\n')).toHaveLength(2);
  });

  it('cuts off a client whose unsent bytes pass the limit, instead of buffering without bound', () => {
    const res = new FakeResponse();
    const w = new SseWriter(res as unknown as Response, options);
    for (let i = 0; i < 10 && !w.closed; i++) w.event({ text: 'x'.repeat(50) });
    expect(res.destroyed).toBe(true);
    expect(w.closed).toBe(true);
    expect(res.chunks.length).toBeLessThan(10);
  });

  it('answers 204 when nothing was sent, so an EventSource stops reconnecting', () => {
    const res = new FakeResponse();
    new SseWriter(res as unknown as Response, options).noContent();
    expect(res.statusCode).toBe(204);
    expect(res.chunks).toEqual([]);
  });
});
