/** What an API key may do; each scope includes the ones before it. */
export const Scope = { READ: 'read', WRITE: 'write', ADMIN: 'admin' } as const;
export type Scope = (typeof Scope)[keyof typeof Scope];

export const SCOPES: readonly Scope[] = [Scope.READ, Scope.WRITE, Scope.ADMIN];

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export function isScope(value: unknown): value is Scope {
  return typeof value === 'string' && (SCOPES as readonly string[]).includes(value);
}

/** Whether a key holding `held` may call a route that needs `required`. */
export function scopeAllows(held: Scope, required: Scope): boolean {
  return SCOPES.indexOf(held) >= SCOPES.indexOf(required);
}

/**
 * The scope a route needs: what its @RequireScope says, else `read` for a safe method and
 * `admin` for anything else, so a route added without the decorator fails closed.
 */
export function requiredScope(declared: Scope | undefined, method: string): Scope {
  if (declared) return declared;
  return SAFE_METHODS.has(method.toUpperCase()) ? Scope.READ : Scope.ADMIN;
}
