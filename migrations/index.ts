// Every migration, in order. Listed explicitly so the same list works from ts and compiled js.
import { Migration20261123000000_initial } from './Migration20261123000000_initial';
import { Migration20261126000000_projection_error } from './Migration20261126000000_projection_error';
import { Migration20261126010000_task_run_options } from './Migration20261126010000_task_run_options';
import { Migration20261126020000_cancel } from './Migration20261126020000_cancel';
import { Migration20261126030000_dead_letters } from './Migration20261126030000_dead_letters';

import { Migration20261126040000_redelivered } from './Migration20261126040000_redelivered';
import { Migration20261126050000_schedules } from './Migration20261126050000_schedules';
import { Migration20261127010000_api_keys } from './Migration20261127010000_api_keys';
import { Migration20261127030000_stream_index } from './Migration20261127030000_stream_index';
import { Migration20261127020000_search } from './Migration20261127020000_search';
import { Migration20261128010000_task_deletions } from './Migration20261128010000_task_deletions';
import { Migration20261128020000_traceparent } from './Migration20261128020000_traceparent';

export const MIGRATIONS = [
  { name: 'Migration20261123000000_initial', class: Migration20261123000000_initial },
  { name: 'Migration20261126000000_projection_error', class: Migration20261126000000_projection_error },
  { name: 'Migration20261126010000_task_run_options', class: Migration20261126010000_task_run_options },
  { name: 'Migration20261126020000_cancel', class: Migration20261126020000_cancel },
  { name: 'Migration20261126030000_dead_letters', class: Migration20261126030000_dead_letters },
  { name: 'Migration20261126040000_redelivered', class: Migration20261126040000_redelivered },
  { name: 'Migration20261126050000_schedules', class: Migration20261126050000_schedules },
  { name: 'Migration20261127010000_api_keys', class: Migration20261127010000_api_keys },
  { name: 'Migration20261127030000_stream_index', class: Migration20261127030000_stream_index },
  { name: 'Migration20261127020000_search', class: Migration20261127020000_search },
  { name: 'Migration20261128010000_task_deletions', class: Migration20261128010000_task_deletions },
  { name: 'Migration20261128020000_traceparent', class: Migration20261128020000_traceparent },
];
