import { Scope } from './scope';

/** The tenant of every request while the API is open (no API keys at all). */
export const DEFAULT_TENANT = 'default';

/** Who a request acts as: its tenant, its key's scope, and the key's id (null when the API is open). */
export interface Principal {
  tenantId: string;
  scope: Scope;
  /** `db:<uuid>` for a stored key, `env:<digest prefix>` for a TASKLOG_API_KEYS key, null when open. */
  keyId: string | null;
}
