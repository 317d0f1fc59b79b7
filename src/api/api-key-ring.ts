import { createHash, timingSafeEqual } from 'node:crypto';
import { Principal } from '../auth/principal';
import { isScope, Scope } from '../auth/scope';

/**
 * The configured API keys (TASKLOG_API_KEYS), kept only as SHA-256 digests. A presented key is
 * hashed and compared with every digest in constant time, without stopping at a match, so neither
 * the response time nor a key named like an Object.prototype member (`__proto__`, `constructor`)
 * tells an attacker anything: lookup never indexes an object by the presented string.
 */
export class ApiKeyRing {
  private readonly entries: readonly { digest: Buffer; principal: Principal }[];

  /** `keys`: key -> `tenant` or `tenant:scope`; a key without a scope is an admin key. */
  constructor(keys: Readonly<Record<string, string>>) {
    // Own entries only: inherited members of the record are not keys.
    this.entries = Object.entries(keys).map(([key, owner]) => {
      const digest = sha256(key);
      const [tenantId, scope] = owner.split(':');
      return {
        digest,
        principal: { tenantId, scope: isScope(scope) ? scope : Scope.ADMIN, keyId: `env:${digest.toString('hex').slice(0, 12)}` },
      };
    });
  }

  get isEmpty(): boolean {
    return this.entries.length === 0;
  }

  /** Who `key` acts as, or null when no configured key equals it. */
  find(key: string): Principal | null {
    const digest = sha256(key);
    let found: Principal | null = null;
    for (const entry of this.entries) {
      const match = timingSafeEqual(entry.digest, digest);
      if (match && found === null) found = entry.principal;
    }
    return found;
  }
}

function sha256(s: string): Buffer {
  return createHash('sha256').update(s, 'utf8').digest();
}
