// The pure core: task states and the reducer. No I/O, no framework imports.
//   const state = events.reduce(evolve, null);
export * from './task-status';
export * from './task-state';
export * from './evolve';
export * from './backoff';
