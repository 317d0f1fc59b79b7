import { Injectable } from '@nestjs/common';
import { collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import { TaskMetrics } from './task-metrics';

/**
 * The process's Prometheus registry (its own, not prom-client's global one, so several engines
 * in one process, as in the tests, do not collide). `GET /metrics` serves it.
 */
@Injectable()
export class MetricsService {
  readonly registry = new Registry();
  readonly tasks = new TaskMetrics(this.registry);
  readonly http = new Histogram({
    name: 'tasklog_http_request_duration_seconds',
    help: 'HTTP requests by method, route and status.',
    labelNames: ['method', 'route', 'status'],
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'tasklog_' });
  }

  /** A gauge read when scraped (running tasks, free slots, leadership). */
  gauge(name: string, help: string, read: () => number): void {
    new Gauge({
      name,
      help,
      registers: [this.registry],
      collect() {
        this.set(read());
      },
    });
  }
}
