import { AddressInfo } from 'node:net';
import pino from 'pino';
import { createApp } from './app.factory';
import { TasklogError } from './common/errors';
import { createPinoLogger, JsonLogger } from './common/logger';
import { loadDevConfig } from './config';
import { DemoHandlers } from './examples/demo.handlers';

async function main(): Promise<void> {
  const config = loadDevConfig();
  const app = await createApp({ handlers: [DemoHandlers] });
  await app.listen(config.port);
  // The bound port, which differs from the configured one when that is 0 (any free port).
  const { port } = app.getHttpServer().address() as AddressInfo;
  app.get(JsonLogger).write('info', 'tasklog listening', { url: `http://127.0.0.1:${port}`, roles: config.roles });
}

main().catch((e: unknown) => {
  // Startup errors (bad environment, two handlers for one type) name the culprit and stop.
  const log = createPinoLogger('error', pino.destination({ dest: 2, sync: true }));
  log.error({ code: (e as TasklogError).code, err: e }, 'tasklog failed to start');
  process.exit(1);
});
