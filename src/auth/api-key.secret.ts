import { createHash, randomBytes } from 'node:crypto';

const KEY_PREFIX = 'tlk_';

/** A new API key: the secret shown once, its SHA-256 (what is stored) and a short prefix for display. */
export function newApiKey(): { key: string; hash: string; prefix: string } {
  // 192 random bits: a fast hash is enough, nothing here can be guessed or brute-forced.
  const key = `${KEY_PREFIX}${randomBytes(24).toString('base64url')}`;
  return { key, hash: hashApiKey(key), prefix: key.slice(0, KEY_PREFIX.length + 8) };
}

export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}
