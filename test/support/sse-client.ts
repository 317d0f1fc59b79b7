/** One server-sent event as the client got it, with the time it arrived. */
export interface SseEvent {
  id?: string;
  event: string;
  data: any;
  receivedAt: number;
}

/**
 * A minimal SSE client over fetch that keeps every frame (events and comment lines), so tests
 * can see ids, keep-alives and the end of the stream. Not an EventSource: it never reconnects.
 */
export class SseClient {
  readonly events: SseEvent[] = [];
  readonly comments: string[] = [];
  status = 0;
  ended = false;
  private readonly abort = new AbortController();
  readonly done: Promise<void>;

  constructor(url: string, headers: Record<string, string> = {}) {
    this.done = this.run(url, headers).catch((e) => {
      if ((e as Error).name !== 'AbortError') throw e;
    });
  }

  /** Task events (default `message` events) only. */
  get messages(): SseEvent[] {
    return this.events.filter((e) => e.event === 'message');
  }

  get lastId(): string | undefined {
    return [...this.events].reverse().find((e) => e.id !== undefined)?.id;
  }

  close(): void {
    this.abort.abort();
  }

  private async run(url: string, headers: Record<string, string>): Promise<void> {
    const res = await fetch(url, { headers: { accept: 'text/event-stream', ...headers }, signal: this.abort.signal });
    this.status = res.status;
    if (!res.body) return;
    const decoder = new TextDecoder();
    let buffer = '';
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      buffer += decoder.decode(chunk, { stream: true });
      let end: number;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        this.frame(buffer.slice(0, end));
        buffer = buffer.slice(end + 2);
      }
    }
    this.ended = true;
  }

  private frame(text: string): void {
    const receivedAt = Date.now();
    let id: string | undefined;
    let event = 'message';
    const data: string[] = [];
    for (const line of text.split('\n')) {
      if (line.startsWith(':')) this.comments.push(line.slice(1).trim());
      else if (line.startsWith('id: ')) id = line.slice(4);
      else if (line.startsWith('event: ')) event = line.slice(7);
      else if (line.startsWith('data: ')) data.push(line.slice(6));
    }
    if (data.length) this.events.push({ id, event, data: JSON.parse(data.join('\n')), receivedAt });
  }
}
