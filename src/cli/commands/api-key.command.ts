import { Command, Option } from 'commander';
import { z } from 'zod';
import { ApiKeyRow } from '../../auth/api-key.entity';
import { ApiKeyStore } from '../../auth/api-key.store';
import { Scope, SCOPES } from '../../auth/scope';
import { loadDevConfig } from '../../config';
import { createOrm, migrate } from '../../projection/orm.factory';

const TenantId = z.string().regex(/^[a-zA-Z0-9._-]{1,100}$/, 'letters, digits, dot, dash, underscore (at most 100)');
const KeyName = z.string().min(1).max(200);

/**
 * `tasklog api-key create|list|revoke`: API keys in the `api_keys` table of DATABASE_URL /
 * TASKLOG_DB_SCHEMA. `create` prints the key once, as the last word of its output.
 */
export function apiKeyCommand(): Command {
  const cmd = new Command('api-key').description('create, list and revoke API keys (stored as SHA-256 digests)');

  cmd
    .command('create')
    .description('create a key for a tenant; prints it once, as the last word')
    .requiredOption('--tenant <tenant>', 'the tenant the key acts for')
    .addOption(
      new Option(
        '--scope <scope>',
        'read (views, streams), write (also enqueue, cancel, retry), admin (also schedules, dead letters, deletes)',
      )
        .choices(SCOPES)
        .default(Scope.WRITE),
    )
    .option('--name <name>', 'a label to tell keys apart')
    .action(async (opts: { tenant: string; scope: Scope; name?: string }) => {
      const tenantId = parse(TenantId, opts.tenant, '--tenant');
      const name = opts.name === undefined ? undefined : parse(KeyName, opts.name, '--name');
      const { row, key } = await withStore((store) => store.create({ tenantId, scope: opts.scope, name }));
      out(`created API key ${row.id} for tenant ${row.tenantId}, scope ${row.scope} (prefix ${row.prefix})`);
      out(`store it now, it is not shown again:\n${key}`);
    });

  cmd
    .command('list')
    .description('list keys (never the keys themselves)')
    .option('--tenant <tenant>', "only this tenant's keys")
    .option('--json', 'one JSON array instead of a table')
    .action(async (opts: { tenant?: string; json?: boolean }) => {
      const rows = await withStore((store) => store.list({ tenantId: opts.tenant }));
      const items = rows.map(listed);
      if (opts.json) return out(JSON.stringify(items));
      out(table(items));
    });

  cmd
    .command('revoke')
    .description('revoke a key: requests with it get 401 within a few seconds')
    .argument('<id>', 'the key id (from create or list)')
    .action(async (id: string) => {
      parse(z.uuid(), id, 'id');
      const outcome = await withStore((store) => store.revoke(id));
      if (outcome === 'not-found') throw new Error(`no API key ${id}`);
      out(outcome === 'revoked' ? `revoked API key ${id}` : `API key ${id} was already revoked`);
    });

  return cmd;
}

async function withStore<T>(work: (store: ApiKeyStore) => Promise<T>): Promise<T> {
  const config = loadDevConfig();
  const orm = await createOrm({ databaseUrl: config.databaseUrl, schema: config.dbSchema, poolMax: 1 });
  try {
    await migrate(orm);
    return await work(new ApiKeyStore(orm));
  } finally {
    await orm.close();
  }
}

function listed(row: ApiKeyRow) {
  return {
    id: row.id,
    tenant: row.tenantId,
    scope: row.scope,
    prefix: row.prefix,
    name: row.name ?? null,
    created: row.createdAt.toISOString(),
    revoked: row.revokedAt?.toISOString() ?? null,
  };
}

function table(items: ReturnType<typeof listed>[]): string {
  const head = ['id', 'tenant', 'scope', 'prefix', 'name', 'created', 'revoked'] as const;
  const rows = items.map((i) => head.map((h) => i[h] ?? '-'));
  const widths = head.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c].length)));
  return [head as readonly string[], ...rows]
    .map((r) =>
      r
        .map((v, c) => v.padEnd(widths[c]))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

function parse<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const r = schema.safeParse(value);
  if (!r.success) throw new Error(`invalid ${what}: ${r.error.issues.map((i) => i.message).join('; ')}`);
  return r.data;
}

function out(line: string): void {
  process.stdout.write(line + '\n');
}
