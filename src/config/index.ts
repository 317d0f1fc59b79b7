// Configuration: every environment variable, validated once.
//   const config = loadConfig(process.env);
export * from './tasklog.config';
export * from './tasklog-options';
export * from './dev-stack';
