// Shared building blocks: ids, clock, errors, logger.
//   import { uuidv7, TasklogError, ErrorCode } from '../common';
export * from './ids';
export * from './clock';
export * from './errors';
export * from './logger';
export * from './retry';
export * from './deadline';
