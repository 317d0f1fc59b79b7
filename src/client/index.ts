// Enqueueing tasks from code.
//   const task = await taskClient.enqueue('demo.sleep', { ms: 100, steps: 5 });
export * from './task-client';
export * from './enqueue-options';
export * from './enqueue-validation';
export * from './cancel-options';
