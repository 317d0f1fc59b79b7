export interface BenchArgs {
  tasks: number;
  /** Enqueues kept in flight at once. */
  inFlight: number;
  /** Print per-second counts of enqueued/started/completed/projected tasks. */
  timeline: boolean;
  /** Seconds to wait for all tasks to complete (each run). */
  timeoutS: number;
  /** Scheduler lateness scenario instead of the throughput run. */
  delayed: boolean;
  /** Priority lanes under saturation instead of the throughput run. */
  lanes: boolean;
}

const USAGE = 'usage: node dist/bench/bench.js [--tasks N] [--in-flight N] [--timeline] [--timeout SECONDS] [--delayed] [--lanes]';

/** Parses `--tasks N` / `--tasks=N` (default 20000) and `--in-flight N` (default 2000). */
export function parseArgs(argv: string[]): BenchArgs {
  const out: BenchArgs = { tasks: 20000, inFlight: 2000, timeline: false, timeoutS: 600, delayed: false, lanes: false };
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split(/=(.*)/s, 2);
    const value = () => {
      const v = inline ?? argv[++i];
      const n = Number(v);
      if (!Number.isInteger(n) || n < 1) throw new Error(`${flag} expects a positive integer, got ${JSON.stringify(v)}\n${USAGE}`);
      return n;
    };
    switch (flag) {
      case '--tasks':
        out.tasks = value();
        break;
      case '--in-flight':
        out.inFlight = value();
        break;
      case '--timeout':
        out.timeoutS = value();
        break;
      case '--timeline':
        out.timeline = true;
        break;
      case '--delayed':
        out.delayed = true;
        break;
      case '--lanes':
        out.lanes = true;
        break;
      case '-h':
      case '--help':
        throw new Error(USAGE);
      default:
        throw new Error(`unknown argument ${JSON.stringify(argv[i])}\n${USAGE}`);
    }
  }
  return out;
}
