// The read model's query cost at scale: one tenant with 1,000,000 synthetic task rows written
// straight into a scratch schema with generate_series (no Kafka), then GET /v1/stats and
// GET /v1/tasks with a payload filter timed over HTTP against an api-only engine. The scratch
// schema is dropped at the end. See docs/bench.md.
//
//   npm run build && node dist/bench/read-model-million.js [rows]
import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { createApp } from '../src/app.factory';
import { loadDevConfig } from '../src/config';
import { createOrm, migrate } from '../src/projection/orm.factory';

const ROWS = Number(process.argv[2] ?? 1_000_000);
const RUNS = 30;

async function main(): Promise<void> {
  const config = loadDevConfig();
  const schema = `scratch_million_${randomBytes(3).toString('hex')}`;
  const pg = new Client({ connectionString: config.databaseUrl });
  await pg.connect();
  try {
    const orm = await createOrm({ databaseUrl: config.databaseUrl, schema });
    await migrate(orm);
    await orm.close();
    await pg.query(`set search_path to ${schema}`);
    let t = Date.now();
    await fill(pg, ROWS);
    // The tally the projector keeps as it writes rows; written here by the migration's own query.
    await pg.query(`insert into task_counts select tenant_id, type, status, priority, count(*) from tasks group by 1, 2, 3, 4`);
    say(`inserted ${ROWS} rows in ${Date.now() - t} ms`);
    t = Date.now();
    await pg.query(`vacuum analyze tasks`);
    say(`vacuum analyze in ${Date.now() - t} ms`);
    const size = await pg.query(
      `select relname, pg_size_pretty(pg_relation_size(oid)) as size from pg_class where relnamespace = $1::regnamespace and relkind in ('r', 'i') order by relname`,
      [schema],
    );
    say(size.rows.map((r) => `${r.relname} ${r.size}`).join(', '));

    const app = await createApp({ config: { dbSchema: schema, topicPrefix: `t.${schema}`, roles: ['api'], logLevel: 'warn' } });
    await app.listen(0, '127.0.0.1');
    const url = `http://127.0.0.1:${(app.getHttpServer().address() as { port: number }).port}`;
    try {
      const cases: [string, string][] = [
        ['stats', '/v1/stats'],
        ['payload filter', '/v1/tasks?payload.accountId=4242'],
        ['payload filter, nested', '/v1/tasks?payload.customer.region=eu-7&limit=20'],
        ['payload count', '/v1/tasks/count?payload.accountId=4242'],
        ['status failed, newest', '/v1/tasks?status=failed&limit=50'],
        ['label + finished range', `/v1/tasks?label=env:staging&finishedFrom=${iso(-3)}&sort=finishedAt`],
        ['type + created range', `/v1/tasks?type=type.3&createdFrom=${iso(-10)}&createdTo=${iso(-9)}&order=asc`],
        ['no filter, page 1', '/v1/tasks?limit=100'],
        ['count all', '/v1/tasks/count'],
      ];
      for (const [name, path] of cases) {
        const first = await get(url + path);
        const times: number[] = [];
        for (let i = 0; i < RUNS; i++) {
          const s = process.hrtime.bigint();
          await get(url + path);
          times.push(Number(process.hrtime.bigint() - s) / 1e6);
        }
        times.sort((a, b) => a - b);
        const shape = Array.isArray(first.items) ? `${first.items.length} items` : 'count' in first ? `count ${first.count}` : 'ok';
        say(`${name.padEnd(26)} p50 ${pct(times, 0.5)} ms  p95 ${pct(times, 0.95)} ms  (${shape})  GET ${path}`);
      }
    } finally {
      await app.close();
    }
  } finally {
    await pg.query(`drop schema if exists ${schema} cascade`);
    await pg.end();
    say(`dropped ${schema}`);
  }
}

/**
 * Rows spread over 30 days: 90% completed, 5% failed, the rest queued, running, cancelled or
 * expired; ten types; accountId one of 10,000; a label env of three; ~1 in 20 finished with retries.
 */
async function fill(pg: Client, rows: number): Promise<void> {
  await pg.query(
    `insert into tasks (id, tenant_id, type, status, priority, payload, labels, attempt, max_attempts,
                        created_at, queued_at, started_at, finished_at, updated_at)
     select gen_random_uuid(), 'default', 'type.' || (i % 10),
            case when i % 100 < 90 then 'completed' when i % 100 < 95 then 'failed' when i % 100 < 97 then 'queued'
                 when i % 100 < 98 then 'running' when i % 100 < 99 then 'cancelled' else 'expired' end,
            1 + (i % 10),
            jsonb_build_object('accountId', i % 10000, 'customer', jsonb_build_object('region', 'eu-' || (i % 50)), 'note', md5(i::text)),
            jsonb_build_object('env', (array['prod', 'staging', 'dev'])[1 + i % 3]),
            case when i % 20 = 0 then 3 else 1 end, 3,
            c, c, c + interval '10 ms',
            case when i % 100 < 95 or i % 100 >= 98 then c + (50 + (i % 1000)) * interval '1 ms' end,
            c + interval '1 s'
       from generate_series(1, $1::int) as i,
            lateral (select now() - (i::float / $1) * interval '30 days' as c) as t`,
    [rows],
  );
}

async function get(url: string): Promise<any> {
  const res = await fetch(url);
  if (res.status !== 200) throw new Error(`${url} -> ${res.status} ${await res.text()}`);
  return res.json();
}

const iso = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString();
const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))].toFixed(1);
const say = (s: string) => process.stdout.write(`[read-model] ${s}\n`);

main().then(
  () => process.exit(0),
  (e) => {
    process.stderr.write(`${(e as Error).stack}\n`);
    process.exit(1);
  },
);
