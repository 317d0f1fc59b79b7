import { TaskEvent } from '../events';

export type ExportFormat = 'jsonl' | 'csv';

/** An exported event: the (upcast) envelope and where it sits in Kafka. */
export type ExportedEvent = TaskEvent & { partition: number; offset: string };

export const CSV_COLUMNS = [
  'id',
  'type',
  'v',
  'taskId',
  'tenantId',
  'at',
  'attempt',
  'correlationId',
  'partition',
  'offset',
  'data',
] as const;

/** One line (with its newline) per event; CSV carries `data` as a JSON cell. */
export function eventLine(e: ExportedEvent, format: ExportFormat): string {
  if (format === 'jsonl') return JSON.stringify(e) + '\n';
  const cells = CSV_COLUMNS.map((c) => {
    const v = c === 'data' ? JSON.stringify(e.data ?? null) : (e as Record<string, unknown>)[c];
    return csvCell(v === undefined || v === null ? '' : String(v));
  });
  return cells.join(',') + '\n';
}

export function csvHeader(): string {
  return CSV_COLUMNS.join(',') + '\n';
}

/** RFC 4180: quoted when it holds a comma, quote or line break; quotes doubled. */
function csvCell(s: string): string {
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}
