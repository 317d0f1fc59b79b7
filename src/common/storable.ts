/**
 * What Postgres (text and jsonb) and our own limits refuse, found before anything is published:
 * a NUL character, an unpaired UTF-16 surrogate (JSON.stringify escapes it and jsonb rejects
 * the escape), or nesting deeper than MAX_JSON_DEPTH. One bad value must never reach Kafka,
 * where it would stop the projection for every tenant.
 */
export const MAX_JSON_DEPTH = 64;

export interface Unstorable {
  /** Dotted path of the offending value, e.g. `payload.items.3.name`. */
  path: string;
  problem: string;
}

// A NUL, a high surrogate not followed by a low one, or a low surrogate not preceded by a high one.
const BAD_TEXT = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Why a string cannot be stored, or null. */
export function textProblem(s: string): string | null {
  const m = BAD_TEXT.exec(s);
  if (!m) return null;
  return m[0] === '\u0000' ? 'contains a NUL character (\\u0000)' : 'contains an unpaired UTF-16 surrogate';
}

/** The first value under `root` that cannot be stored, or null. Iterative: deep input cannot blow the stack. */
export function findUnstorable(root: unknown, rootPath: string, maxDepth = MAX_JSON_DEPTH): Unstorable | null {
  const stack: [unknown, string, number][] = [[root, rootPath, 0]];
  while (stack.length > 0) {
    const [value, path, depth] = stack.pop()!;
    if (typeof value === 'string') {
      const problem = textProblem(value);
      if (problem) return { path, problem };
      continue;
    }
    if (typeof value === 'number') {
      if (!Number.isFinite(value)) return { path, problem: 'is not a finite number' };
      continue;
    }
    if (value === null || typeof value !== 'object') continue;
    if (depth >= maxDepth) return { path, problem: `nests deeper than ${maxDepth} levels` };
    if (Array.isArray(value)) {
      for (let i = value.length - 1; i >= 0; i--) stack.push([value[i], `${path}.${i}`, depth + 1]);
      continue;
    }
    for (const [k, v] of Object.entries(value)) {
      const keyProblem = textProblem(k);
      if (keyProblem) return { path: `${path}.${JSON.stringify(k)}`, problem: `has a key that ${keyProblem}` };
      stack.push([v, `${path}.${k}`, depth + 1]);
    }
  }
  return null;
}

/** Replaces what Postgres refuses (NUL, unpaired surrogates) with U+FFFD; for text we produce ourselves. */
export function toStorableText(s: string, maxLength = Infinity): string {
  const clean = textProblem(s) === null ? s : s.replace(new RegExp(BAD_TEXT.source, 'g'), '\uFFFD');
  return clean.length > maxLength ? `${clean.slice(0, Math.max(0, maxLength - 1))}…` : clean;
}
