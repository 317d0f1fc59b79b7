import { Test } from '@nestjs/testing';
import { TerminusModule } from '@nestjs/terminus';
import { Clock } from '../common/clock';
import { TASKLOG_CONFIG, TasklogConfig } from '../config';
import { KafkaService } from '../kafka/kafka.service';
import { DatabaseService } from '../projection/database.service';
import { PROBE_CACHE_MS, ReadinessService } from './readiness.service';

describe('ReadinessService', () => {
  let now = 0;
  const kafkaPing = jest.fn<Promise<void>, [number]>();
  const dbPing = jest.fn<Promise<void>, [number]>();

  async function service(roles: TasklogConfig['roles']): Promise<ReadinessService> {
    const module = await Test.createTestingModule({
      imports: [TerminusModule.forRoot({ logger: false })],
      providers: [
        ReadinessService,
        { provide: TASKLOG_CONFIG, useValue: { roles } },
        { provide: KafkaService, useValue: { client: { ping: kafkaPing } } },
        { provide: DatabaseService, useValue: { ping: dbPing } },
        { provide: Clock, useValue: { now: () => now } },
      ],
    }).compile();
    return module.get(ReadinessService);
  }

  beforeEach(() => {
    now = 0;
    kafkaPing.mockReset().mockResolvedValue(undefined);
    dbPing.mockReset().mockResolvedValue(undefined);
  });

  it('is ready when Kafka and Postgres answer, and checks each with a deadline', async () => {
    const r = await (await service(['api'])).check();
    expect(r).toEqual({ ready: true, checks: { kafka: { status: 'up' }, postgres: { status: 'up' } } });
    expect(kafkaPing).toHaveBeenCalledWith(expect.any(Number));
    expect(dbPing.mock.calls[0][0]).toBeLessThanOrEqual(2000);
  });

  it('is not ready, saying why, when one does not answer', async () => {
    dbPing.mockRejectedValue(new Error('Postgres did not answer within 1500 ms'));
    const r = await (await service(['api'])).check();
    expect(r.ready).toBe(false);
    expect(r.checks.postgres).toEqual({ status: 'down', message: 'Postgres did not answer within 1500 ms' });
    expect(r.checks.kafka).toEqual({ status: 'up' });
  });

  it('reuses an answer for a second, and shares one check between concurrent probes', async () => {
    const s = await service(['api']);
    await Promise.all([s.check(), s.check(), s.check()]);
    expect(kafkaPing).toHaveBeenCalledTimes(1);
    now += PROBE_CACHE_MS - 1;
    await s.check();
    expect(kafkaPing).toHaveBeenCalledTimes(1);
    now += 2;
    kafkaPing.mockRejectedValue(new Error('Kafka did not answer within 1500 ms'));
    expect((await s.check()).ready).toBe(false);
    expect(kafkaPing).toHaveBeenCalledTimes(2);
  });

  it('does not ask Postgres in a worker-only process, which needs no database', async () => {
    const r = await (await service(['worker'])).check();
    expect(r).toEqual({ ready: true, checks: { kafka: { status: 'up' } } });
    expect(dbPing).not.toHaveBeenCalled();
  });
});
