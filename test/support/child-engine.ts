import { ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

export const MAIN = join(__dirname, '../../dist/src/main.js');

/**
 * The engine in a child process (dist build), so a test can kill it for real; its JSON log lines
 * are collected. `script` runs another entry point instead, e.g. test/support/worker-child.js.
 */
export class ChildEngine {
  readonly lines: Record<string, unknown>[] = [];
  readonly process: ChildProcess;

  constructor(env: Record<string, string>, script = MAIN) {
    if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: run npm run build (npm test does it in pretest)`);
    this.process = spawn(process.execPath, [script], {
      env: { ...process.env, PORT: '0', LOG_LEVEL: 'info', ...env },
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    let buffer = '';
    this.process.stdout!.on('data', (chunk: Buffer) => {
      buffer += chunk.toString();
      let nl: number;
      while ((nl = buffer.indexOf('\n')) >= 0) {
        const line = buffer.slice(0, nl);
        buffer = buffer.slice(nl + 1);
        try {
          this.lines.push(JSON.parse(line));
        } catch {
          /* not JSON */
        }
      }
    });
  }

  logged(msg: string): boolean {
    return this.lines.some((l) => l.msg === msg);
  }

  async kill(signal: NodeJS.Signals): Promise<void> {
    if (this.process.exitCode !== null || this.process.signalCode !== null) return;
    const exited = new Promise((r) => this.process.once('exit', r));
    this.process.kill(signal);
    await exited;
  }
}
