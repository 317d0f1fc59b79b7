/**
 * A Postgres identifier quoted for SQL text, with any `"` doubled. Schema names are validated at
 * startup, but SQL text is built from them in several places; quoting each one properly means no
 * name can ever end the identifier and start a statement.
 */
export function quoteIdentifier(name: string): string {
  // Postgres cannot hold a NUL in an identifier at all; an empty one is a syntax error.
  if (name.length === 0 || name.includes('\u0000')) throw new Error(`not a usable SQL identifier: ${JSON.stringify(name)}`);
  return `"${name.replace(/"/g, '""')}"`;
}
