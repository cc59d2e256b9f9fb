import { describe, expect, it } from 'vitest';
import { retryDelayMs } from '../../src/gateway/policies/retry.js';
import { dotnetTimeSpan, retryAfterSeconds } from '../../src/gateway/limits.js';
import { encodeValue, decodeValue } from '../../src/gateway/cache-entries.js';
import { parseJson, JObject } from '../../src/expressions/json.js';

describe('retry waits (POLICY-ENGINE.md §5.1)', () => {
  it('fixed, linear and exponential, with first-fast-retry', () => {
    expect([1, 2, 3].map((n) => retryDelayMs(n, { intervalS: 2, firstFastRetry: false }))).toEqual([2000, 2000, 2000]);
    expect([1, 2, 3].map((n) => retryDelayMs(n, { intervalS: 2, deltaS: 1, firstFastRetry: false }))).toEqual([2000, 3000, 4000]);
    // Exponential: interval + (2^n - 1) * delta (jitter 0.8–1.2 of delta; random() = 0.5 gives delta itself), capped.
    expect([1, 2, 3, 4].map((n) => retryDelayMs(n, { intervalS: 1, deltaS: 2, maxIntervalS: 10, firstFastRetry: false }, () => 0.5))).toEqual([3000, 7000, 10000, 10000]);
    expect(retryDelayMs(1, { intervalS: 1, deltaS: 2, maxIntervalS: 10, firstFastRetry: false }, () => 0)).toBeCloseTo(2600);
    expect([1, 2, 3].map((n) => retryDelayMs(n, { intervalS: 1, firstFastRetry: true }))).toEqual([0, 1000, 1000]);
  });
});

describe('APIM formats', () => {
  it('TimeSpan text of the quota message', () => {
    expect(dotnetTimeSpan(3_600_000)).toBe('01:00:00');
    expect(dotnetTimeSpan((5 * 86_400 + 3 * 3600 + 23 * 60 + 11) * 1000)).toBe('5.03:23:11');
    expect(dotnetTimeSpan(999)).toBe('00:00:01');
    expect(retryAfterSeconds(1)).toBe(1);
    expect(retryAfterSeconds(60_000)).toBe(60);
  });

  it('cache values keep their type, JTokens included', () => {
    for (const v of ['text', 42, true, null]) expect(decodeValue(encodeValue(v))).toEqual(v);
    const obj = parseJson('{"a":[1,2],"b":"x"}');
    const back = decodeValue(encodeValue(obj));
    expect(back).toBeInstanceOf(JObject);
    expect((back as JObject).toJson(false)).toBe('{"a":[1,2],"b":"x"}');
  });
});
