import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { eventJsonSchemas, runCommandJsonSchema } from '../events';
import { asyncApiDocument } from './asyncapi-document';

/** `npm run schemas`: writes docs/schemas/*.json and docs/asyncapi.json from the zod schemas. */
export function exportSchemas(root: string): string[] {
  const dir = join(root, 'docs', 'schemas');
  mkdirSync(dir, { recursive: true });
  const files: [string, unknown][] = [
    ...Object.entries(eventJsonSchemas()).map(([type, s]) => [join(dir, `${type}.schema.json`), s] as [string, unknown]),
    [join(dir, 'run-command.schema.json'), runCommandJsonSchema()],
    [join(root, 'docs', 'asyncapi.json'), asyncApiDocument()],
  ];
  for (const [file, content] of files) writeFileSync(file, JSON.stringify(content, null, 2) + '\n');
  return files.map(([f]) => f);
}

if (require.main === module) {
  const written = exportSchemas(process.cwd());
  process.stdout.write(JSON.stringify({ level: 'info', msg: 'schemas written', files: written.length }) + '\n');
}
