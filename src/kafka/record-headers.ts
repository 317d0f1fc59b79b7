import { Header } from './kafka.types';

/** The headers every record of ours carries (DESIGN.md section 2); the one place they are assembled. */
export function recordHeaders(type: string, tenantId: string, schemaVersion: number, traceparent?: string): Record<string, string> {
  return {
    [Header.EVENT_TYPE]: type,
    [Header.SCHEMA_VERSION]: String(schemaVersion),
    [Header.TENANT_ID]: tenantId,
    [Header.CONTENT_TYPE]: 'application/json',
    ...(traceparent ? { [Header.TRACEPARENT]: traceparent } : {}),
  };
}
