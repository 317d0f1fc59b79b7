import { Inject, Injectable, ServiceUnavailableException } from '@nestjs/common';
import { HealthCheckResult, HealthCheckService, HealthIndicatorResult, HealthIndicatorService } from '@nestjs/terminus';
import { Clock } from '../common/clock';
import { TASKLOG_CONFIG, TasklogConfig } from '../config';
import { KafkaService } from '../kafka/kafka.service';
import { DatabaseService } from '../projection/database.service';

/** How long one dependency may take to answer before the probe calls it down. */
export const PROBE_TIMEOUT_MS = 1500;
/** How long an answer is reused, so frequent probes (and many replicas' probes) stay cheap. */
export const PROBE_CACHE_MS = 1000;

export interface Readiness {
  ready: boolean;
  /** Per dependency: `up`, or `down` with why. */
  checks: Record<string, { status: string; message?: string }>;
}

/**
 * Checks, live, the dependencies this process's roles need: Kafka always, Postgres for the api
 * and projector roles. Terminus runs the checks; a result is cached for PROBE_CACHE_MS after it
 * arrives, and concurrent probes share one check in flight.
 */
@Injectable()
export class ReadinessService {
  private inFlight: Promise<Readiness> | null = null;
  private cached: { at: number; readiness: Readiness } | null = null;

  constructor(
    @Inject(TASKLOG_CONFIG) private readonly config: TasklogConfig,
    private readonly health: HealthCheckService,
    private readonly indicator: HealthIndicatorService,
    private readonly kafka: KafkaService,
    private readonly db: DatabaseService,
    private readonly clock: Clock,
  ) {}

  check(): Promise<Readiness> {
    if (this.cached && this.clock.now() - this.cached.at < PROBE_CACHE_MS) return Promise.resolve(this.cached.readiness);
    this.inFlight ??= this.run().finally(() => (this.inFlight = null));
    return this.inFlight;
  }

  private async run(): Promise<Readiness> {
    const probes = [() => this.probe('kafka', () => this.kafka.client.ping(PROBE_TIMEOUT_MS))];
    const { roles } = this.config;
    if (roles.includes('api') || roles.includes('projector'))
      probes.push(() => this.probe('postgres', () => this.db.ping(PROBE_TIMEOUT_MS)));
    let result: HealthCheckResult;
    try {
      result = await this.health.check(probes);
    } catch (e) {
      // Terminus reports a failed check (or a shutdown under way) as a 503 carrying the result.
      if (!(e instanceof ServiceUnavailableException)) throw e;
      result = e.getResponse() as HealthCheckResult;
    }
    const readiness: Readiness = {
      ready: result.status === 'ok',
      checks: { ...result.details },
    };
    if (result.status === 'shutting_down') readiness.checks.process = { status: 'down', message: 'shutting down' };
    this.cached = { at: this.clock.now(), readiness };
    return readiness;
  }

  private async probe(name: string, ping: () => Promise<void>): Promise<HealthIndicatorResult> {
    const session = this.indicator.check(name);
    try {
      await ping();
      return session.up();
    } catch (e) {
      return session.down({ message: (e as Error).message });
    }
  }
}
