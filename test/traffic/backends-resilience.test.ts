import { describe, expect, it } from 'vitest';
import { BackendResilience, parseIsoDuration } from '../../src/gateway/backends-resilience.js';
import { PolicyError } from '../../src/gateway/errors.js';
import type { BackendConfig } from '../../src/gateway/policies/types.js';

const backend = (name: string, url: string, properties: Record<string, unknown> = {}): BackendConfig => ({ name, url, protocol: 'http', properties });
const breaker = (over: Record<string, unknown> = {}) => ({
  circuitBreaker: {
    rules: [
      {
        name: 'b',
        failureCondition: { count: 3, interval: 'PT1M', statusCodeRanges: [{ min: 500, max: 599 }], errorReasons: ['Timeout', 'BackendConnectionFailure'] },
        tripDuration: 'PT30S',
        ...over,
      },
    ],
  },
});
const T = 1_000_000;

describe('circuit breaker', () => {
  it('parses ISO 8601 durations', () => {
    expect(parseIsoDuration('PT30S')).toBe(30_000);
    expect(parseIsoDuration('PT1M')).toBe(60_000);
    expect(parseIsoDuration('P1DT1H0.5S')).toBe(90_000_500);
    expect(() => parseIsoDuration('30s')).toThrow(/ISO 8601/);
  });

  it('trips after count failures within the interval, answers 503 for tripDuration, then closes', () => {
    const b = backend('pay', 'http://127.0.0.1:9/api', breaker());
    const g = new BackendResilience(() => new Map([['pay', b]]));
    g.recordAt('pay', { statusCode: 500 }, T);
    g.recordAt('pay', { statusCode: 200 }, T + 1);
    g.recordAt('pay', { statusCode: 404 }, T + 2);
    g.recordAt('pay', { errorReason: 'Timeout' }, T + 3);
    expect(g.selectAt(b, T + 4).url).toBe('http://127.0.0.1:9/api');
    g.recordAt('pay', { errorReason: 'BackendConnectionFailure' }, T + 5);
    let err: unknown;
    try {
      g.selectAt(b, T + 6);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(PolicyError);
    expect((err as PolicyError).init).toMatchObject({ statusCode: 503, reason: 'BackendUnavailable', headers: { 'Retry-After': '30' } });
    expect(g.selectAt(b, T + 5 + 30_000).memberId).toBe('pay');
  });

  it('forgets failures older than the interval', () => {
    const b = backend('pay', 'http://127.0.0.1:9/api', breaker());
    const g = new BackendResilience(() => new Map([['pay', b]]));
    g.recordAt('pay', { statusCode: 503 }, T);
    g.recordAt('pay', { statusCode: 503 }, T + 1000);
    g.recordAt('pay', { statusCode: 503 }, T + 61_000);
    expect(g.openFor(b, T + 61_001)).toBe(0);
  });

  it('acceptRetryAfter uses the backend Retry-After as the trip duration', () => {
    const b = backend('pay', 'http://127.0.0.1:9/api', breaker({ acceptRetryAfter: true, failureCondition: { count: 1, interval: 'PT10S', statusCodeRanges: [{ min: 429, max: 429 }] } }));
    const g = new BackendResilience(() => new Map([['pay', b]]));
    g.recordAt('pay', { statusCode: 429, retryAfter: '5' }, T);
    expect(g.openFor(b, T)).toBe(5000);
  });

  it('trips on a failure percentage', () => {
    const b = backend('pay', 'http://127.0.0.1:9/api', breaker({ failureCondition: { percentage: 50, interval: 'PT1M', statusCodeRanges: [{ min: 500, max: 599 }] } }));
    const g = new BackendResilience(() => new Map([['pay', b]]));
    g.recordAt('pay', { statusCode: 200 }, T);
    g.recordAt('pay', { statusCode: 200 }, T + 1);
    g.recordAt('pay', { statusCode: 500 }, T + 2);
    expect(g.openFor(b, T + 3)).toBe(0);
    g.recordAt('pay', { statusCode: 500 }, T + 3);
    expect(g.openFor(b, T + 4)).toBeGreaterThan(0);
  });
});

describe('pools', () => {
  const a = backend('a', 'http://127.0.0.1:1/a', breaker({ failureCondition: { count: 1, interval: 'PT1M', statusCodeRanges: [{ min: 500, max: 599 }] } }));
  const b = backend('b', 'http://127.0.0.1:2/b');
  const c = backend('c', 'http://127.0.0.1:3/c');
  const pool = backend('pool', '', { type: 'Pool', pool: { services: [{ id: '/backends/a', weight: 3, priority: 1 }, { id: '/backends/b', weight: 1, priority: 1 }, { id: '/backends/c', priority: 2 }] } });
  const all = new Map([['a', a], ['b', b], ['c', c], ['pool', pool]]);

  it('spreads calls by weight within the best priority, exactly', () => {
    const g = new BackendResilience(() => all);
    const picks = Array.from({ length: 8 }, () => g.selectAt(pool, T).memberId);
    expect(picks.filter((p) => p === 'a')).toHaveLength(6);
    expect(picks.filter((p) => p === 'b')).toHaveLength(2);
    expect(picks).not.toContain('c');
  });

  it('skips tripped members, falls back to the next priority, and answers 503 when none is left', () => {
    const lonely = backend('pool2', '', { type: 'Pool', pool: { services: [{ id: '/backends/a', priority: 1 }, { id: '/backends/c', priority: 2 }] } });
    const g = new BackendResilience(() => new Map([...all, ['pool2', lonely]]));
    expect(g.selectAt(lonely, T).memberId).toBe('a');
    g.recordAt('a', { statusCode: 502 }, T);
    expect(g.selectAt(lonely, T + 1).memberId).toBe('c');
    const onlyA = backend('pool3', '', { type: 'Pool', pool: { services: [{ id: '/backends/a' }] } });
    expect(() => g.selectAt(onlyA, T + 2)).toThrow(/circuit breaker of backend 'pool3' is open/);
  });
});
