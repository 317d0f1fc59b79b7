import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig, TasklogConfig } from './tasklog.config';

/**
 * The standalone service's config: the environment over the dev stack's `.data/stack.env`
 * (written by scripts/stack.sh). Only entry points (main, CLI, bench, tests) read it; the module
 * other apps import never reads the dev stack's files.
 */
export function loadDevConfig(env: Record<string, string | undefined> = process.env, root = process.cwd()): TasklogConfig {
  return loadConfig(devEnv(env, root));
}

/** The environment over the dev stack's defaults. */
export function devEnv(env: Record<string, string | undefined> = process.env, root = process.cwd()): Record<string, string> {
  const defined = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== '')) as Record<string, string>;
  return { ...stackDefaults(root), ...defined };
}

/** Reads `.data/stack.env` (written by scripts/stack.sh) as defaults under the real environment. */
export function stackDefaults(root = process.cwd()): Record<string, string> {
  const file = join(root, '.data', 'stack.env');
  if (!existsSync(file)) return {};
  const out: Record<string, string> = {};
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const m = /^([A-Z_]+)=(.*)$/.exec(line.trim());
    if (m) out[m[1]] = m[2];
  }
  return out;
}
