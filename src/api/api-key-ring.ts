import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * The configured API keys, kept only as SHA-256 digests. A presented key is hashed and compared
 * with every digest in constant time, without stopping at a match, so neither the response time
 * nor a key named like an Object.prototype member (`__proto__`, `constructor`) tells an attacker
 * anything: lookup never indexes an object by the presented string.
 */
export class ApiKeyRing {
  private readonly entries: readonly { digest: Buffer; tenant: string }[];

  constructor(keys: Readonly<Record<string, string>>) {
    // Own entries only: inherited members of the record are not keys.
    this.entries = Object.entries(keys).map(([key, tenant]) => ({ digest: sha256(key), tenant }));
  }

  get isEmpty(): boolean {
    return this.entries.length === 0;
  }

  /** The tenant of `key`, or null when no configured key equals it. */
  tenantFor(key: string): string | null {
    const digest = sha256(key);
    let tenant: string | null = null;
    for (const entry of this.entries) {
      const match = timingSafeEqual(entry.digest, digest);
      if (match && tenant === null) tenant = entry.tenant;
    }
    return tenant;
  }
}

function sha256(s: string): Buffer {
  return createHash('sha256').update(s, 'utf8').digest();
}
