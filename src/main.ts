import { AddressInfo } from 'node:net';
import { createApp } from './app.factory';
import { TasklogError } from './common/errors';
import { loadDevConfig } from './config';
import { DemoHandlers } from './examples/demo.handlers';

async function main(): Promise<void> {
  const config = loadDevConfig();
  const app = await createApp({ handlers: [DemoHandlers] });
  await app.listen(config.port);
  // The bound port, which differs from the configured one when that is 0 (any free port).
  const { port } = app.getHttpServer().address() as AddressInfo;
  process.stdout.write(
    JSON.stringify({
      level: 'info',
      time: new Date().toISOString(),
      msg: 'tasklog listening',
      url: `http://127.0.0.1:${port}`,
      roles: config.roles,
    }) + '\n',
  );
}

main().catch((e: unknown) => {
  // Startup errors (bad environment, two handlers for one type) name the culprit and stop.
  const err = e as Error;
  const line = {
    level: 'error',
    time: new Date().toISOString(),
    msg: 'tasklog failed to start',
    code: (e as TasklogError).code,
    error: err.message,
  };
  process.stderr.write(JSON.stringify(line) + '\n');
  process.exit(1);
});
