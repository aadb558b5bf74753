import type { FieldError, Problem } from './types';

/**
 * An answer the API refused, or a request that never got an answer (status 0). It
 * always carries a problem: the API's own application/problem+json, or one made up
 * here with the same fields, so screens have one shape to show.
 */
export class ApiError extends Error {
  readonly problem: Problem;
  /** Seconds to wait, from the answer's `Retry-After` (429, 503), when it had one. */
  readonly retryAfter: number | undefined;
  constructor(problem: Problem, retryAfter?: number) {
    super(problem.detail || problem.title);
    this.name = 'ApiError';
    this.problem = problem;
    this.retryAfter = retryAfter;
  }
  get status(): number {
    return this.problem.status;
  }
}

const PROBLEM = /^application\/problem\+json\b/i;

/** Reads a refused answer. Gateways and proxies may answer without a problem body
 * (a 502 page, a 413 from API Gateway's own limit): those get a problem made from the
 * status, never an unreadable error. */
export async function problemFrom(res: Response, now: number = Date.now()): Promise<ApiError> {
  const type = res.headers.get('content-type') ?? '';
  const retryAfter = parseRetryAfter(res.headers.get('retry-after'), now);
  let body: unknown = null;
  try {
    body = await res.json();
  } catch {
    body = null;
  }
  if (PROBLEM.test(type) || isProblemShaped(body)) {
    const p = body as Partial<Problem>;
    return new ApiError({
      ...p,
      type: p.type ?? 'about:blank',
      title: p.title ?? (res.statusText || `HTTP ${res.status}`),
      status: typeof p.status === 'number' ? p.status : res.status,
      detail: p.detail ?? p.title ?? fallbackDetail(res.status),
      errors: Array.isArray(p.errors) ? p.errors.filter(isFieldError) : undefined,
    }, retryAfter);
  }
  return new ApiError({
    type: 'about:blank',
    title: res.statusText || `HTTP ${res.status}`,
    status: res.status,
    detail: fallbackDetail(res.status),
  }, retryAfter);
}

/** `Retry-After` as whole seconds from `now`: delta-seconds or an HTTP date (RFC 9110);
 * undefined when absent or unreadable. The API exposes the header to the app's origin
 * (CORS `ExposeHeaders`). */
export function parseRetryAfter(value: string | null, now: number = Date.now()): number | undefined {
  const v = value?.trim();
  if (!v) return undefined;
  if (/^\d+$/.test(v)) return Number(v);
  const at = Date.parse(v);
  return Number.isNaN(at) ? undefined : Math.max(0, Math.ceil((at - now) / 1000));
}

export function networkError(cause: unknown): ApiError {
  const why = cause instanceof Error ? cause.message : String(cause);
  return new ApiError({
    type: 'about:blank',
    title: 'No connection',
    status: 0,
    detail: `The service could not be reached (${why}). Check your connection and try again.`,
  });
}

function isProblemShaped(v: unknown): boolean {
  return typeof v === 'object' && v !== null && typeof (v as Problem).title === 'string'
    && typeof (v as Problem).status === 'number';
}

function isFieldError(v: unknown): v is FieldError {
  return typeof v === 'object' && v !== null && typeof (v as FieldError).field === 'string'
    && typeof (v as FieldError).message === 'string';
}

function fallbackDetail(status: number): string {
  if (status === 429) return 'Too many attempts. Wait a moment and try again.';
  if (status >= 500) return 'Something went wrong on our side. Try again in a moment.';
  return 'The request was refused.';
}

/**
 * The field errors of a problem by field name, for showing each next to its input.
 * The API names nested fields with dots (`location.address`); a field named twice
 * gets both messages. Errors without a field the form knows stay in `rest`, so the
 * caller can show them in the form's summary rather than lose them.
 */
export function fieldErrors(
  error: unknown,
  known?: readonly string[],
): { byField: Record<string, string>; rest: string[] } {
  const byField: Record<string, string> = {};
  const rest: string[] = [];
  if (!(error instanceof ApiError)) return { byField, rest };
  for (const e of error.problem.errors ?? []) {
    const field = e.field.replace(/^\//, '').replace(/\//g, '.');
    if (known && !known.includes(field)) {
      rest.push(field ? `${field}: ${e.message}` : e.message);
      continue;
    }
    byField[field] = byField[field] ? `${byField[field]} ${e.message}` : e.message;
  }
  return { byField, rest };
}

/** One sentence for an error of any kind, for a form's or a page's error message. */
export function describe(error: unknown): string {
  if (error instanceof ApiError) return error.problem.detail || error.problem.title;
  if (error instanceof Error) return error.message;
  return 'Something went wrong.';
}
