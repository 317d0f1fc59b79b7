import { SingleBar } from 'cli-progress';
import { Command } from 'commander';
import { loadDevConfig } from '../../config';
import { PROJECTED_TABLES } from '../../projection/rebuild/projection-checksum';
import { rebuildProjection, RebuildMode, RebuildReport } from '../../projection/rebuild/blue-green-rebuild';
import { jsonOption, kafkaFor, stderrLogger } from '../cli-context';
import { formatTable } from '../table';

interface Flags {
  dryRun?: boolean;
  keepShadow?: boolean;
  json?: boolean;
  progress: boolean;
}

/** `tasklog projection rebuild|verify`: a second projection from Kafka, compared with (and switched for) the live one. */
export function projectionCommand(): Command {
  const projection = new Command('projection').description('rebuild or verify the Postgres projection from the events in Kafka');
  projection
    .command('rebuild')
    .description('project from offset 0 into a new schema, verify it equals the live one, then switch reads to it')
    .option('--dry-run', 'rebuild and compare only; the live tables stay')
    .option('--keep-shadow', 'with --dry-run: keep the rebuilt schema to look at')
    .option('--no-progress', 'no progress bar on stderr')
    .addOption(jsonOption())
    .action((flags: Flags) => run(flags.dryRun ? 'dry-run' : 'switch', flags));
  projection.addHelpText('after', '\nExit status: 0 equal (and switched, for rebuild), 1 the checksums differ, 2 it could not run.');
  projection
    .command('verify')
    .description('project from offset 0 into a scratch schema and compare checksums with the live one; exits 1 on a difference')
    .option('--keep-shadow', 'keep the rebuilt schema to look at')
    .option('--no-progress', 'no progress bar on stderr')
    .addOption(jsonOption())
    .action((flags: Flags) => run('verify', flags));
  return projection;
}

/** Exit 1 means "they differ", as diff(1): a failure to run exits 2, with its reason. */
async function run(mode: RebuildMode, flags: Flags): Promise<void> {
  try {
    await compare(mode, flags);
  } catch (e) {
    process.stderr.write(`tasklog projection: ${(e as Error).message}\n`);
    process.exitCode = 2;
  }
}

async function compare(mode: RebuildMode, flags: Flags): Promise<void> {
  const config = loadDevConfig();
  const bar = new SingleBar({
    stream: process.stderr,
    format: '{phase} |{bar}| {percentage}% | {value}/{total} records | {rate} records/s | ETA {eta_formatted}',
    hideCursor: true,
    etaBuffer: 50,
  });
  const began = Date.now();
  let started = false;
  const report = await rebuildProjection({
    kafka: kafkaFor(config, 'projection'),
    databaseUrl: config.databaseUrl,
    schema: config.dbSchema,
    topicPrefix: config.topicPrefix,
    logger: stderrLogger(config, 'projection'),
    mode,
    keepShadow: flags.keepShadow,
    onProgress: flags.progress
      ? ({ phase, read, total }) => {
          const rate = Math.round(read / Math.max(0.001, (Date.now() - began) / 1000));
          if (!started) bar.start(total, read, { phase, rate });
          started = true;
          bar.setTotal(total);
          bar.update(read, { phase, rate });
        }
      : undefined,
  }).finally(() => started && bar.stop());
  process.stdout.write(flags.json ? JSON.stringify(report) + '\n' : describe(report));
  if (!report.equal) process.exitCode = 1;
}

function describe(r: RebuildReport): string {
  const rows = PROJECTED_TABLES.map((t) => ({
    table: t,
    'live rows': String(r.live[t].rows),
    'live checksum': r.live[t].sum,
    'rebuilt rows': String(r.rebuilt[t].rows),
    'rebuilt checksum': r.rebuilt[t].sum,
    same: r.live[t].rows === r.rebuilt[t].rows && r.live[t].sum === r.rebuilt[t].sum ? 'yes' : 'NO',
  }));
  const lines = [
    formatTable(rows, Object.keys(rows[0])).trimEnd(),
    `${r.records} records in ${(r.ms / 1000).toFixed(1)} s (${r.recordsPerSecond} records/s); live projection paused ${r.pausedMs} ms`,
  ];
  for (const [table, keys] of Object.entries(r.differing)) lines.push(`differs in ${table}: ${keys.join(', ')}`);
  if (r.switched)
    lines.push(
      `switched: schema "${r.liveSchema}" now holds the rebuilt tables; the old ones are in "${r.retiredSchema}" (drop it when done)`,
    );
  else if (r.mode === 'switch') lines.push('not switched: the checksums differ');
  else lines.push(r.equal ? 'checksums equal' : 'checksums DIFFER');
  return lines.join('\n') + '\n';
}
