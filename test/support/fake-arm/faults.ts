/**
 * Fault injection for the fake ARM server: per-path rules that make a request slow, fail with an ARM error
 * (429 + Retry-After, 409 "operation in progress", 403, 5xx) or drop the connection. Randomness comes from a
 * seeded generator so a test with `probability: 0.2` fails the same calls on every run.
 */

/** One rule. The first matching rule whose budget is not used up applies. */
export interface FaultRule {
  /** HTTP method (any when absent). */
  method?: string;
  /**
   * Service-relative path glob, case-insensitive: `*` matches within a segment, `**` across segments.
   * E.g. `/apis/*`, `/apis/payments-api/**`, `**` (everything).
   */
  path?: string;
  /** Query parameters that must be present with these values (e.g. `{ export: 'true' }`). */
  query?: Record<string, string>;
  /** Answer with this status and an ARM error body. */
  status?: number;
  /** ARM error code / message for the body (defaults per status). */
  code?: string;
  message?: string;
  /** `Retry-After` seconds (default 0 for 429/503 so tests stay fast; negative = no header). */
  retryAfter?: number;
  /** Delay before answering (or before failing). */
  delayMs?: number;
  /** Destroy the socket instead of answering. */
  drop?: boolean;
  /** Chance that a matching request is hit (default 1). */
  probability?: number;
  /** Hit at most this many requests. */
  times?: number;
  /** Skip this many matching requests before hitting. */
  after?: number;
}

/** The effect chosen for one request. */
export interface FaultEffect {
  delayMs: number;
  drop: boolean;
  status?: number;
  code?: string;
  message?: string;
  retryAfter?: number;
}

/** mulberry32: small, fast, seedable. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function globToRegExp(glob: string): RegExp {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === '*' && glob[i + 1] === '*') {
      re += '.*';
      i++;
    } else if (c === '*') re += '[^/]*';
    else re += c.replace(/[.+?^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`, 'i');
}

const DEFAULT_ERRORS: Record<number, { code: string; message: string }> = {
  400: { code: 'ValidationError', message: 'One or more fields contain incorrect values:' },
  401: { code: 'AuthenticationFailed', message: 'Authentication failed. The Authorization header is missing or invalid.' },
  403: {
    code: 'AuthorizationFailed',
    message: "The client 'apimops' does not have authorization to perform this action over this scope or the scope is invalid.",
  },
  404: { code: 'ResourceNotFound', message: 'Resource not found.' },
  409: { code: 'Conflict', message: 'Operation on the API is in progress' },
  412: { code: 'PreconditionFailed', message: 'The entity tag does not match.' },
  429: { code: 'TooManyRequests', message: 'Rate limit is exceeded. Try again later.' },
  500: { code: 'InternalServerError', message: 'An unexpected error occurred.' },
  502: { code: 'BadGateway', message: 'Bad gateway.' },
  503: { code: 'ServiceUnavailable', message: 'The service is temporarily unavailable.' },
};

/** Default ARM error code and message for a status. */
export function defaultError(status: number): { code: string; message: string } {
  return DEFAULT_ERRORS[status] ?? { code: 'Error', message: `HTTP ${status}` };
}

/** Holds the rules and their counters; `decide` is called once per request. */
export class FaultInjector {
  private rules: { rule: FaultRule; re: RegExp; seen: number; hits: number }[] = [];
  private random: () => number;
  /** Requests that were hit, for assertions. */
  hits = 0;

  constructor(rules: readonly FaultRule[] = [], seed = 1) {
    this.random = seededRandom(seed);
    this.set(rules);
  }

  /** Replaces all rules and resets the counters (`hits` included). */
  set(rules: readonly FaultRule[]): void {
    this.rules = rules.map((rule) => ({ rule, re: globToRegExp(rule.path ?? '**'), seen: 0, hits: 0 }));
    this.hits = 0;
  }

  decide(method: string, path: string, query: URLSearchParams): FaultEffect | undefined {
    for (const entry of this.rules) {
      const { rule } = entry;
      if (rule.method && rule.method.toUpperCase() !== method.toUpperCase()) continue;
      if (!entry.re.test(path)) continue;
      if (rule.query && Object.entries(rule.query).some(([k, v]) => query.get(k) !== v)) continue;
      entry.seen++;
      if (rule.after !== undefined && entry.seen <= rule.after) continue;
      if (rule.times !== undefined && entry.hits >= rule.times) continue;
      if (rule.probability !== undefined && this.random() >= rule.probability) continue;
      entry.hits++;
      this.hits++;
      return {
        delayMs: rule.delayMs ?? 0,
        drop: rule.drop ?? false,
        status: rule.status,
        code: rule.code,
        message: rule.message,
        retryAfter: rule.retryAfter,
      };
    }
    return undefined;
  }
}
