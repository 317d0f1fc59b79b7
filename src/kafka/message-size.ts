import { OutMessage } from './kafka.types';

/** Bytes a record takes on the wire, near enough to keep batches under the broker's limits. */
export function messageBytes(m: OutMessage): number {
  let n = 70 + Buffer.byteLength(m.key) + m.value.length;
  for (const [k, v] of Object.entries(m.headers ?? {})) n += Buffer.byteLength(k) + Buffer.byteLength(v) + 8;
  return n;
}
