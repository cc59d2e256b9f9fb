// The adaptive limiter: never more than the limit in flight; 429s halve the limit, successes restore it.
import { describe, expect, it } from 'vitest';
import { createAdaptiveLimiter } from '../../src/arm/limiter.js';

/** A task that resolves when the test says so, recording how many ran at once. */
function gate() {
  const waiting: (() => void)[] = [];
  return {
    task: () => new Promise<void>((resolve) => waiting.push(resolve)),
    release(n = waiting.length) {
      for (const r of waiting.splice(0, n)) r();
    },
    get waiting() {
      return waiting.length;
    },
  };
}

const tick = () => new Promise((r) => setImmediate(r));

describe('createAdaptiveLimiter', () => {
  it('runs at most `max` tasks at once, in FIFO order', async () => {
    const limiter = createAdaptiveLimiter(3);
    const g = gate();
    const order: number[] = [];
    const all = Array.from({ length: 7 }, (_, i) => limiter.run(async () => {
      order.push(i);
      await g.task();
    }));
    await tick();
    expect(limiter.active).toBe(3);
    expect(order).toEqual([0, 1, 2]);
    while (g.waiting > 0) {
      g.release();
      await tick();
    }
    await Promise.all(all);
    expect(order).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(limiter.peak).toBe(3);
  });

  it('halves the limit on throttling (not below 1) and climbs back one step per `recoverAfter` successes', () => {
    const limiter = createAdaptiveLimiter(8, { recoverAfter: 2 });
    limiter.throttled();
    expect(limiter.limit).toBe(4);
    limiter.throttled();
    limiter.throttled();
    limiter.throttled();
    expect(limiter.limit).toBe(1);
    expect(limiter.backoffs).toBe(3);
    limiter.succeeded();
    expect(limiter.limit).toBe(1);
    limiter.succeeded();
    expect(limiter.limit).toBe(2);
    for (let i = 0; i < 20; i++) limiter.succeeded();
    expect(limiter.limit).toBe(8);
  });

  it('a lowered limit holds back queued tasks', async () => {
    const limiter = createAdaptiveLimiter(4);
    const g = gate();
    limiter.throttled(); // 2
    const all = Array.from({ length: 5 }, () => limiter.run(g.task));
    await tick();
    expect(limiter.active).toBe(2);
    g.release();
    await tick();
    expect(limiter.active).toBe(2);
    while (g.waiting > 0) {
      g.release();
      await tick();
    }
    await Promise.all(all);
  });

  it('rejects a parallelism that is not a positive integer', () => {
    expect(() => createAdaptiveLimiter(0)).toThrow('parallelism must be an integer ≥ 1, got 0');
  });
});
