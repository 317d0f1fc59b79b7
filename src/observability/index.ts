// Prometheus metrics: the registry, task lifecycle counters (from the projector), role gauges, HTTP timings.
//   curl -s localhost:3000/metrics | grep tasklog_tasks_completed_total
export * from './metrics.service';
export * from './task-metrics';
export * from './metrics.controller';
export * from './role-gauges';
export * from './lag-gauges';
export * from './http-metrics.interceptor';
export * from './request-log.params';
