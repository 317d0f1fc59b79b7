import { Controller, Get, INestApplication, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { TaskClientService } from '../../src/client/task-client.service';
import { loadDevConfig } from '../../src/config';
import { RolesService } from '../../src/runtime/roles.service';
import { TasklogModule } from '../../src/tasklog.module';
import { cleanup, isolation } from '../support/engine';

@Controller('ping')
class HostController {
  @Get()
  ping() {
    return { pong: true };
  }
}

describe('a host app that mounts only the engine (forRoot extras)', () => {
  const iso = isolation('mounts');
  let app: INestApplication;
  let url: string;

  beforeAll(async () => {
    const dev = loadDevConfig();
    @Module({
      imports: [
        TasklogModule.forRoot({
          brokers: dev.brokers,
          databaseUrl: dev.databaseUrl,
          topicPrefix: iso.prefix,
          dbSchema: iso.schema,
          logLevel: 'warn',
          roles: ['api'],
          allowUnknownTypes: true,
          http: false,
          dashboard: false,
          errorFilter: false,
        }),
      ],
      controllers: [HostController],
    })
    class HostModule {}
    app = await NestFactory.create(HostModule, { logger: false });
    await app.listen(0, '127.0.0.1');
    url = `http://127.0.0.1:${(app.getHttpServer().address() as { port: number }).port}`;
    await app.get(RolesService).ready();
  });
  afterAll(async () => {
    await app?.close();
    await cleanup(iso.prefix, iso.schema);
  });

  it("serves its own routes and none of the engine's, and the errors stay its own", async () => {
    expect((await fetch(`${url}/ping`)).status).toBe(200);
    for (const path of ['/v1/tasks', '/dashboard', '/metrics', '/health/ready']) {
      const r = await fetch(`${url}${path}`);
      expect(r.status).toBe(404);
      expect(r.headers.get('content-type')).not.toContain('problem+json');
    }
  });

  it('enqueues a type it has no handler for, as a producer-only app that said so', async () => {
    const task = await app.get(TaskClientService).enqueue('billing.invoice', { id: 7 });
    expect(task).toMatchObject({ type: 'billing.invoice', status: 'queued' });
  });
});
