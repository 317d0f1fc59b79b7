// One worker process of the scale bench: the engine with only the worker role and the bench's
// no-op handler. Settings come from the environment (TASKLOG_*), set by scale-run.ts.
import 'reflect-metadata';
import { createApp } from '../src/app.factory';
import { BenchHandlers } from './bench.handlers';

createApp({ handlers: [BenchHandlers] })
  .then((app) => app.init())
  .catch((e: Error) => {
    process.stderr.write(`scale worker failed to start: ${e.stack}\n`);
    process.exit(1);
  });
