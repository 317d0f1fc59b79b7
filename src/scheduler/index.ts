// The scheduler role: one leader (Postgres advisory lock) queues delayed tasks and retries when due,
// and fires recurring schedules (@Recurring('0 2 * * *', { timezone: 'Europe/Berlin' }) on a @TaskHandler).
//   TASKLOG_ROLES=scheduler node dist/src/main.js   # run standbys beside it; one leads
export * from './scheduler.service';
export * from './leader-lock';
export * from './due-dispatcher';
export * from './due-task';
export * from './expiry-sweeper';
export * from './schedules/recurring.decorator';
export * from './schedules/schedule.service';
export * from './schedules/schedule-definition';
export * from './schedules/misfire-policy';
export * from './schedules/cron-spec';
export * from './retention-sweeper';
