/**
 * A one-line progress bar on stderr. On a TTY it redraws in place (~5x/s); otherwise it
 * prints a plain line every 2 s so CI logs stay readable.
 */
export class ProgressBar {
  private static active: ProgressBar | null = null;
  private readonly tty = Boolean(process.stderr.isTTY);
  private lastDraw = 0;
  private lastLine = '';
  private samples: { t: number; done: number }[] = [];

  constructor(
    private readonly total: number,
    private readonly unit: string,
    private readonly width = 30,
  ) {
    ProgressBar.active = this;
  }

  /** Erases the bar so another line can be written; it comes back on the next update. */
  static clearLine(): void {
    const bar = ProgressBar.active;
    if (bar?.tty && bar.lastLine) {
      process.stderr.write('\r\x1b[K');
      bar.lastLine = '';
    }
  }

  /** `done` of `total`; the rate is over the last ~2 s. */
  update(done: number, extra = ''): void {
    const now = Date.now();
    this.samples.push({ t: now, done });
    while (this.samples.length > 2 && now - this.samples[0].t > 2000) this.samples.shift();
    if (now - this.lastDraw < (this.tty ? 190 : 2000)) return;
    this.lastDraw = now;
    this.draw(done, extra);
  }

  /** Draws the final state and ends the line. */
  finish(done: number, extra = ''): void {
    this.draw(done, extra);
    if (this.tty) process.stderr.write('\n');
    this.lastLine = '';
    if (ProgressBar.active === this) ProgressBar.active = null;
  }

  private draw(done: number, extra: string): void {
    const first = this.samples[0];
    const last = this.samples[this.samples.length - 1];
    const rate = first && last && last.t > first.t ? ((last.done - first.done) * 1000) / (last.t - first.t) : 0;
    const filled = Math.min(this.width, Math.floor((done / Math.max(1, this.total)) * this.width));
    const bar = '#'.repeat(filled) + '.'.repeat(this.width - filled);
    const line = `[${bar}] ${done}/${this.total} ${this.unit} ${Math.round(rate)}/s${extra ? '  ' + extra : ''}`;
    if (this.tty) process.stderr.write('\r\x1b[K' + line);
    else process.stderr.write(line + '\n');
    this.lastLine = line;
  }
}

export interface LogTally {
  warn: number;
  error: number;
  /** "level: msg" -> count, for the summary. */
  messages: Map<string, number>;
}

/**
 * Passes stdout through untouched, but (1) erases the progress bar before each write so log
 * lines don't land in the middle of it and (2) counts the engine's JSON warn/error lines.
 */
export function tapStdout(): LogTally {
  const tally: LogTally = { warn: 0, error: 0, messages: new Map() };
  const original = process.stdout.write.bind(process.stdout) as (...a: unknown[]) => boolean;
  (process.stdout as unknown as { write: (...a: unknown[]) => boolean }).write = (chunk: unknown, ...rest: unknown[]) => {
    ProgressBar.clearLine();
    const text = typeof chunk === 'string' ? chunk : Buffer.isBuffer(chunk) ? chunk.toString() : '';
    if (text.startsWith('{"level":"')) {
      for (const line of text.split('\n')) countLine(tally, line);
    }
    return original(chunk, ...rest);
  };
  return tally;
}

export function countLine(tally: LogTally, line: string): void {
  if (!line) return;
  try {
    const entry = JSON.parse(line) as { level?: string; msg?: string; error?: string };
    if (entry.level !== 'warn' && entry.level !== 'error') return;
    tally[entry.level] += 1;
    const key = `${entry.level}: ${entry.msg}${entry.error ? ` (${String(entry.error).slice(0, 120)})` : ''}`;
    tally.messages.set(key, (tally.messages.get(key) ?? 0) + 1);
  } catch {
    /* not one of ours */
  }
}
