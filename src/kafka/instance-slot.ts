import { createHash } from 'node:crypto';
import { createServer, Server } from 'node:net';
import { hostname } from 'node:os';

/**
 * A per-host slot number, held for the life of the process: the lowest free one of `max`.
 * Each slot is an abstract Unix socket (Linux), which the kernel frees the moment its process
 * dies, SIGKILL included. So a restarted process takes the slot, and the transactional id, of
 * the one that crashed, and its first `initTransactions` fences and aborts the dead producer's
 * open transaction instead of leaving read_committed readers stuck until the broker's timeout.
 */
export class InstanceSlot {
  private constructor(
    readonly slot: number,
    private readonly server: Server | null,
  ) {}

  static async claim(name: string, max = 256): Promise<InstanceSlot> {
    const tag = createHash('sha256').update(name).digest('hex').slice(0, 24);
    for (let slot = 0; slot < max; slot++) {
      const server = createServer();
      const bound = await new Promise<boolean | 'unsupported'>((resolve) => {
        server.once('error', (e: NodeJS.ErrnoException) => resolve(e.code === 'EADDRINUSE' ? false : 'unsupported'));
        server.listen({ path: `\0tasklog-${tag}-${slot}` }, () => resolve(true));
      });
      if (bound === true) {
        server.unref();
        return new InstanceSlot(slot, server);
      }
      server.close();
      // No abstract sockets here (not Linux): the pid keeps concurrent processes apart, without fencing.
      if (bound === 'unsupported') return new InstanceSlot(process.pid, null);
    }
    return new InstanceSlot(process.pid, null);
  }

  release(): void {
    this.server?.close();
  }
}

/** The transactional id of one role of one instance: stable across restarts of that instance. */
export function transactionalIdFor(prefix: string, role: string, instance: string): string {
  return `${prefix}-${role}-${instance}`;
}

/** This process's instance name: TASKLOG_INSTANCE_ID when set, else the host name and a slot. */
export async function instanceName(configured: string | undefined, scope: string): Promise<{ name: string; slot: InstanceSlot | null }> {
  if (configured) return { name: configured, slot: null };
  const slot = await InstanceSlot.claim(`${scope}@${hostname()}`);
  return { name: `${hostname()}-${slot.slot}`, slot };
}
