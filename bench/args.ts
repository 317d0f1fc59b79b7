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
  /** Steady-rate latency: tasks per second, each rate in turn. */
  steadyRates: number[];
  /** `--steady` given: the steady-rate mode only, without the throughput comparison. */
  steadyOnly: boolean;
  /** `--no-steady`: the throughput comparison only. */
  noSteady: boolean;
  /** Seconds each steady rate runs. */
  seconds: number;
  /** Tasks in the memory-with-a-backlog phase (`--backlog N` runs only that phase). */
  backlog: number;
  backlogOnly: boolean;
  /** `--no-backlog`: skip the memory phase in the full run. */
  noBacklog: boolean;
  /** `--scale 1,2,4`: worker process counts for the scale picture (that mode only); empty otherwise. */
  scale: number[];
  /** Partitions per topic in the scale mode. */
  partitions: number;
}

export const DEFAULT_STEADY_RATES = [500, 1000, 2000];

const USAGE =
  'usage: node dist/bench/bench.js [--tasks N] [--in-flight N] [--timeline] [--timeout SECONDS] [--delayed] [--lanes]\n' +
  '                                [--steady RATE,RATE,...] [--seconds N] [--no-steady] [--backlog N] [--no-backlog]\n' +
  '                                [--scale 1,2,4] [--partitions N]';

/**
 * Parses `--tasks N` / `--tasks=N` (default 20000), `--in-flight N` (default 2000), and
 * `--steady 500,1000,2000` with `--seconds N` (default 10 s per rate).
 */
export function parseArgs(argv: string[]): BenchArgs {
  const out: BenchArgs = {
    tasks: 20000,
    inFlight: 2000,
    timeline: false,
    timeoutS: 600,
    delayed: false,
    lanes: false,
    steadyRates: DEFAULT_STEADY_RATES,
    steadyOnly: false,
    noSteady: false,
    seconds: 10,
    backlog: 100000,
    backlogOnly: false,
    noBacklog: false,
    scale: [],
    partitions: 12,
  };
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
      case '--steady': {
        const v = inline ?? argv[++i];
        const rates = String(v).split(',').map(Number);
        if (!v || rates.some((n) => !Number.isInteger(n) || n < 1)) {
          throw new Error(`--steady expects rates like 500,1000,2000, got ${JSON.stringify(v)}\n${USAGE}`);
        }
        out.steadyRates = rates;
        out.steadyOnly = true;
        break;
      }
      case '--seconds':
        out.seconds = value();
        break;
      case '--no-steady':
        out.noSteady = true;
        break;
      case '--backlog':
        out.backlog = value();
        out.backlogOnly = true;
        break;
      case '--no-backlog':
        out.noBacklog = true;
        break;
      case '--scale': {
        const v = inline ?? argv[++i];
        const counts = String(v ?? '1,2,4')
          .split(',')
          .map(Number);
        if (counts.some((n) => !Number.isInteger(n) || n < 1 || n > 16)) {
          throw new Error(`--scale expects worker process counts like 1,2,4, got ${JSON.stringify(v)}\n${USAGE}`);
        }
        out.scale = counts;
        break;
      }
      case '--partitions':
        out.partitions = value();
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
