/** RFC 9457 problem details, as every error response of the API. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance?: string;
  code?: string;
  [extra: string]: unknown;
}

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

export function problem(status: number, title: string, detail: string, extra: Record<string, unknown> = {}): Problem {
  const slug = title.toLowerCase().replace(/[^a-z0-9]+/g, '-');
  // Extras never override the core members: a detail named `status` must not become the HTTP status.
  return { ...extra, type: `https://tasklog.dev/problems/${slug}`, title, status, detail };
}
