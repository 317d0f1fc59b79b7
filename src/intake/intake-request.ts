import { ErrorCode, TasklogError } from '../common/errors';
import { EnqueueOptions } from '../client/enqueue-options';
import { Header, InMessage } from '../kafka/kafka.types';
import { replyAddressOf } from './intake-reply';

/** The tenant of a request that names none in its `tenant-id` header. */
export const DEFAULT_INTAKE_TENANT = 'default';

/** One enqueue read off the requests topic; validated afterwards by TaskClient like any other. */
export interface IntakeRequest {
  type: unknown;
  payload: unknown;
  options: EnqueueOptions;
}

/**
 * Reads `{type, payload, ...options}` from a record's value (what a stock Nest `ClientKafka.emit`
 * writes with its default serializer, or any producer writing JSON). The tenant comes from the
 * `tenant-id` header: whoever may write to the topic may enqueue for any tenant, so the topic's
 * ACLs are the boundary (see README, "Kafka intake"). The record's key is the idempotency key
 * unless the body gives one, so a redelivered request enqueues once; a keyless `ClientKafka.send`
 * uses its correlation id the same way (it is unique per send and travels with the record).
 */
export function readIntakeRequest(m: InMessage): IntakeRequest {
  if (!m.value || m.value.length === 0) throw invalid('empty value; expected JSON {type, payload, ...options}');
  let body: unknown;
  try {
    body = JSON.parse(m.value.toString('utf8'));
  } catch (e) {
    throw invalid(`value is not JSON: ${(e as Error).message}`);
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw invalid('expected a JSON object {type, payload, ...options}');
  const { type, payload, ...rest } = body as Record<string, unknown>;
  if ('tenantId' in rest) throw invalid('tenantId is not a request field; the tenant comes from the tenant-id header');
  const key = m.key === null || m.key === '' ? replyAddressOf(m)?.correlationId : m.key;
  const options = { ...rest } as EnqueueOptions;
  if (options.idempotencyKey === undefined && key !== undefined) options.idempotencyKey = key;
  options.tenantId = m.headers[Header.TENANT_ID] || DEFAULT_INTAKE_TENANT;
  return { type, payload, options };
}

function invalid(detail: string): TasklogError {
  return new TasklogError(ErrorCode.INVALID_INPUT, `invalid task request: ${detail}`);
}
