import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';

/** The three-broker cluster `npm run stack:up -- --brokers 3` started (from `.data/cluster.env`). */
export interface ClusterEnv {
  brokers: string[];
  /** Holds one directory per node, `n<node id>`, each with the node's `broker.pid`. */
  dir: string;
}

export function readClusterEnv(root = process.cwd()): ClusterEnv {
  const file = join(root, '.data', 'cluster.env');
  if (!existsSync(file)) throw new Error(`${file} is missing: start the cluster first (npm run stack:up -- --brokers 3)`);
  const vars: Record<string, string> = {};
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const m = /^([A-Z_]+)=(.*)$/.exec(line.trim());
    if (m) vars[m[1]] = m[2];
  }
  if (!vars.KAFKA_BROKERS || !vars.KAFKA_CLUSTER_DIR) throw new Error(`${file} lacks KAFKA_BROKERS or KAFKA_CLUSTER_DIR`);
  return { brokers: vars.KAFKA_BROKERS.split(','), dir: vars.KAFKA_CLUSTER_DIR };
}

/** The process id of one node, from the pid file the stack script wrote. */
export function nodePid(cluster: ClusterEnv, nodeId: number): number {
  const pid = Number(readFileSync(join(cluster.dir, `n${nodeId}`, 'broker.pid'), 'utf8').trim());
  if (!Number.isInteger(pid) || pid <= 0) throw new Error(`no pid for cluster node ${nodeId}`);
  return pid;
}

/** Starts the nodes that are not running (a killed one) and waits until all three are registered. */
export async function restartMissingNodes(root = process.cwd()): Promise<string> {
  const { stdout } = await promisify(execFile)('bash', [join(root, 'scripts', 'stack.sh'), 'up', '--brokers', '3'], { timeout: 150000 });
  return stdout;
}
