import { Presets, SingleBar } from 'cli-progress';
import { Command, InvalidArgumentError, Option } from 'commander';
import { TaskClientService } from '../../client/task-client.service';
import { ErrorCode, TasklogError } from '../../common/errors';
import { DeadLetterKind } from '../../kafka/kafka.types';
import { DatabaseService } from '../../projection/database.service';
import { DeadLetterId, DeadLetterQueries, parseDeadLetterId } from '../../projection/dead-letter.queries';
import { DEFAULT_TENANT } from '../../api/tenant';
import { jsonOption, tenantOption, withEngine, withOrm } from '../cli-context';
import { formatTable } from '../table';

const KINDS = Object.values(DeadLetterKind);
/** Retrying these means nothing is wrong: the task is simply not (or no longer) a dead one. */
const SKIPPABLE: string[] = [ErrorCode.TASK_STATE_CONFLICT, ErrorCode.TASK_NOT_FOUND];

function limit(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 500) throw new InvalidArgumentError('must be a whole number from 1 to 500');
  return n;
}

interface ListOptions {
  tenant: string;
  kind?: DeadLetterKind;
  limit: number;
  json?: boolean;
}

interface RetryOptions {
  tenant: string;
  all?: boolean;
  kind: DeadLetterKind;
  requestedBy: string;
  json?: boolean;
}

/** `tasklog dlq list|retry`: the dead letters of a tenant, newest first, and re-opening their tasks. */
export function dlqCommand(): Command {
  const dlq = new Command('dlq').description('dead letters: exhausted tasks and poison records');
  dlq
    .command('list')
    .description('list dead letters, newest first (as GET /v1/dead-letters)')
    .addOption(new Option('--kind <kind>', 'only letters of this kind').choices(KINDS))
    .addOption(new Option('--limit <n>', 'how many (1-500)').argParser(limit).default(50))
    .addOption(tenantOption())
    .addOption(jsonOption())
    .action((o: ListOptions) => list(o));
  dlq
    .command('retry')
    .description('re-open an exhausted task with a fresh attempt budget (as POST /v1/tasks/:id/retry)')
    .argument('[taskId]', 'the task to re-open')
    .option('--all', "re-open the task of every dead letter of --kind (the tenant's)")
    .addOption(new Option('--kind <kind>', 'with --all: letters of this kind').choices(KINDS).default(DeadLetterKind.TASK_EXHAUSTED))
    .option('--requested-by <who>', 'recorded on task.retry-requested', 'cli')
    .addOption(tenantOption())
    .addOption(jsonOption())
    .action((taskId: string | undefined, o: RetryOptions, cmd: Command) => {
      if (Boolean(taskId) === Boolean(o.all)) cmd.error('error: give either a task id or --all');
      return taskId ? retryOne(taskId, o) : retryAll(o);
    });
  return dlq;
}

async function list(o: ListOptions): Promise<void> {
  const page = await withOrm((orm) =>
    new DeadLetterQueries(orm).list({ tenantId: o.tenant, withUntenanted: o.tenant === DEFAULT_TENANT, kind: o.kind, limit: o.limit }),
  );
  if (o.json) return void process.stdout.write(JSON.stringify(page, null, 2) + '\n');
  const rows = page.items.map((l) => ({ ...l, task: l.taskId, source: l.source.topic }));
  process.stdout.write(formatTable(rows, ['id', 'kind', 'task', 'attempt', 'failedAt', 'source', 'reason']));
  if (page.nextCursor) process.stdout.write(`(more: raise --limit, or page through GET /v1/dead-letters?cursor=${page.nextCursor})\n`);
}

async function retryOne(taskId: string, o: RetryOptions): Promise<void> {
  const task = await withEngine((app) => app.get(TaskClientService).retry(o.tenant, taskId, { requestedBy: o.requestedBy }));
  if (o.json) return void process.stdout.write(JSON.stringify(task, null, 2) + '\n');
  process.stdout.write(`task ${task.id} re-opened: ${task.status}, up to attempt ${task.maxAttempts}\n`);
}

async function retryAll(o: RetryOptions): Promise<void> {
  const result = await withEngine(async (app) => {
    const ids = await deadTaskIds(await app.get(DatabaseService).deadLetterQueries(), o);
    const client = app.get(TaskClientService);
    const retried: string[] = [];
    const skipped: { taskId: string; reason: string }[] = [];
    const bar = new SingleBar({ stream: process.stderr, format: 'retrying |{bar}| {value}/{total} tasks' }, Presets.shades_classic);
    bar.start(ids.length, 0);
    try {
      for (const id of ids) {
        try {
          await client.retry(o.tenant, id, { requestedBy: o.requestedBy });
          retried.push(id);
        } catch (e) {
          if (!(e instanceof TasklogError && SKIPPABLE.includes(e.code))) throw e;
          skipped.push({ taskId: id, reason: e.message });
        }
        bar.increment();
      }
    } finally {
      bar.stop();
    }
    return { retried, skipped };
  });
  if (o.json) return void process.stdout.write(JSON.stringify(result, null, 2) + '\n');
  process.stdout.write(`retried ${result.retried.length}, skipped ${result.skipped.length}\n`);
  for (const s of result.skipped) process.stdout.write(`  skipped ${s.taskId}: ${s.reason}\n`);
}

/** The distinct tasks named by the tenant's letters of one kind, read a page at a time. */
async function deadTaskIds(queries: DeadLetterQueries, o: RetryOptions): Promise<string[]> {
  const ids = new Set<string>();
  let after: DeadLetterId | undefined;
  do {
    const page = await queries.list({ tenantId: o.tenant, withUntenanted: false, kind: o.kind, limit: 500, after });
    for (const l of page.items) if (l.taskId) ids.add(l.taskId);
    after = page.nextCursor ? (parseDeadLetterId(page.nextCursor) ?? undefined) : undefined;
  } while (after);
  return [...ids];
}
