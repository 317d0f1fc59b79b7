/** Plain aligned columns for terminal output; long cells are cut with an ellipsis. */
export function formatTable(rows: Record<string, unknown>[], columns: string[], maxWidth = 60): string {
  const cell = (v: unknown) => {
    const s = v === null || v === undefined ? '-' : String(v).replace(/\s+/g, ' ');
    return s.length > maxWidth ? `${s.slice(0, maxWidth - 1)}…` : s;
  };
  const cells = rows.map((r) => columns.map((c) => cell(r[c])));
  const widths = columns.map((c, i) => Math.max(c.length, ...cells.map((row) => row[i].length)));
  const line = (values: string[]) =>
    values
      .map((v, i) => v.padEnd(widths[i]))
      .join('  ')
      .trimEnd();
  return [line(columns), ...cells.map(line)].join('\n') + '\n';
}
