import { Command } from 'commander';
import { TaskStatsQueries } from '../../projection/task-stats.queries';
import { jsonOption, tenantOption, withOrm } from '../cli-context';
import { formatTable } from '../table';

/** `tasklog stats`: the counts of GET /v1/stats (by status, by type and status), read from Postgres. */
export function statsCommand(): Command {
  return new Command('stats')
    .description('task counts by status and by type, read from the Postgres read model (as GET /v1/stats)')
    .addOption(tenantOption())
    .addOption(jsonOption())
    .action(async (o: { tenant: string; json?: boolean }) => {
      const { byStatus, byType } = await withOrm((orm) => new TaskStatsQueries(orm).counts(o.tenant));
      if (o.json) return void process.stdout.write(JSON.stringify({ byStatus, byType }, null, 2) + '\n');
      const statuses = Object.keys(byStatus).sort();
      const zeros = Object.fromEntries(statuses.map((s) => [s, 0]));
      const rows = [
        { type: '(all)', ...zeros, ...byStatus },
        ...Object.entries(byType).map(([type, counts]) => ({ type, ...zeros, ...counts })),
      ];
      process.stdout.write(formatTable(rows, ['type', ...statuses]));
    });
}
