/**
 * The Kafka key of a run command: its concurrency key, scoped to the tenant (so two tenants'
 * keys never serialise each other), or the task id. Tenant ids hold no '/', so this is unambiguous.
 */
export function commandKey(tenantId: string, taskId: string, concurrencyKey: string | null | undefined): string {
  return concurrencyKey ? `${tenantId}/${concurrencyKey}` : taskId;
}
