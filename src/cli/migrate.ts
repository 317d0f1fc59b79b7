import { buildCli } from './tasklog';

/** Kept for `npm run migrate` / `npm run dev`: the same as `tasklog migrate`. */
buildCli()
  .parseAsync([process.argv[0], 'tasklog', 'migrate'])
  .catch((e: Error) => {
    process.stderr.write(JSON.stringify({ level: 'error', msg: 'migration failed', error: e.message }) + '\n');
    process.exit(1);
  });
