/**
 * The store contract (STYLE.md A2: Miniflare's `storageMacros`): one suite, run against every backend.
 * `makeStore(namespace)` returns a fresh store whose keys no other test sees.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { ConsumeRequest, CounterWindow, Store } from '../../src/gateway/stores/store.js';

const T0 = Date.UTC(2026, 0, 1, 12, 0, 0);
const MIN = 60_000;

export function storeContract(name: string, makeStore: (namespace: string) => Promise<Store>): void {
  describe(`store contract: ${name}`, () => {
    const open: Store[] = [];
    let n = 0;
    const fresh = async (): Promise<Store> => {
      const s = await makeStore(`contract-${process.pid}-${Date.now()}-${n++}`);
      open.push(s);
      return s;
    };
    afterEach(async () => {
      await Promise.all(open.splice(0).map((s) => s.close()));
    });
    const sliding: CounterWindow = { kind: 'sliding', periodMs: MIN };
    const req = (now: number, limit = 3, extra: Partial<ConsumeRequest> = {}): ConsumeRequest => ({
      limit,
      window: sliding,
      now,
      ...extra,
    });

    it('admits up to the limit in a sliding window, then rejects with a retry-after, and does not count rejections', async () => {
      const s = await fresh();
      const results = [];
      for (let i = 0; i < 5; i++) results.push(await s.consume('k', req(T0 + i * 1000)));
      expect(results.map((r) => r.admitted)).toEqual([true, true, true, false, false]);
      expect(results.map((r) => r.remaining)).toEqual([2, 1, 0, 0, 0]);
      expect(results.map((r) => r.count)).toEqual([1, 2, 3, 3, 3]);
      // The first call (at T0) leaves the window at T0 + 60 s; the fifth call was at T0 + 4 s.
      expect(results[4]!.retryAfterMs).toBe(56_000);
      expect(results[2]!.retryAfterMs).toBe(58_000);
      expect(results[0]!.retryAfterMs).toBe(0);
    });

    it('slides: calls leave the window one by one', async () => {
      const s = await fresh();
      await s.consume('k', req(T0));
      await s.consume('k', req(T0 + 30_000));
      await s.consume('k', req(T0 + 31_000));
      expect((await s.consume('k', req(T0 + 59_999))).admitted).toBe(false);
      const at60 = await s.consume('k', req(T0 + 60_000));
      expect(at60).toMatchObject({ admitted: true, count: 3 });
      expect((await s.consume('k', req(T0 + 60_500))).admitted).toBe(false);
      expect((await s.consume('k', req(T0 + 90_000))).admitted).toBe(true);
    });

    it('takes increment-count units at once and refuses a call that would overshoot', async () => {
      const s = await fresh();
      expect(await s.consume('k', req(T0, 10, { cost: 7 }))).toMatchObject({ admitted: true, count: 7, remaining: 3 });
      expect(await s.consume('k', req(T0, 10, { cost: 4 }))).toMatchObject({ admitted: false, count: 7 });
      expect(await s.consume('k', req(T0, 10, { cost: 3 }))).toMatchObject({ admitted: true, count: 10, remaining: 0 });
    });

    it('keeps keys and window lengths apart', async () => {
      const s = await fresh();
      await s.consume('a', req(T0, 1));
      expect((await s.consume('a', req(T0, 1))).admitted).toBe(false);
      expect((await s.consume('b', req(T0, 1))).admitted).toBe(true);
      expect((await s.consume('a', { limit: 1, now: T0, window: { kind: 'sliding', periodMs: 10_000 } })).admitted).toBe(true);
    });

    it('peek reads without counting; add counts past the limit', async () => {
      const s = await fresh();
      expect(await s.peek('k', req(T0, 2))).toMatchObject({ count: 0, remaining: 2 });
      expect(await s.add('k', req(T0, 2, { cost: 3 }))).toMatchObject({ admitted: false, count: 3, remaining: 0 });
      expect(await s.peek('k', req(T0 + 1, 2))).toMatchObject({ count: 3, admitted: false });
      expect((await s.consume('k', req(T0 + 2, 2))).admitted).toBe(false);
    });

    it('fixed windows align to the anchor and reset at their end', async () => {
      const s = await fresh();
      const anchor = Date.UTC(2026, 0, 1, 0, 0, 0);
      const hour = 3_600_000;
      const w: CounterWindow = { kind: 'fixed', periodMs: hour, anchorMs: anchor };
      const at = (now: number): ConsumeRequest => ({ limit: 2, window: w, now });
      // T0 is 12:00, the start of window 12; it ends at 13:00.
      expect((await s.consume('q', at(T0 + 10))).admitted).toBe(true);
      expect((await s.consume('q', at(T0 + 20))).admitted).toBe(true);
      const refused = await s.consume('q', at(T0 + 1_800_000));
      expect(refused).toMatchObject({ admitted: false, count: 2, retryAfterMs: 1_800_000, resetMs: 1_800_000 });
      expect(await s.consume('q', at(T0 + hour))).toMatchObject({ admitted: true, count: 1 });
    });

    it('a lifetime window (renewal-period 0) never resets', async () => {
      const s = await fresh();
      const w: CounterWindow = { kind: 'fixed', periodMs: 0, anchorMs: 0 };
      expect((await s.consume('q', { limit: 1, window: w, now: T0 })).admitted).toBe(true);
      const r = await s.consume('q', { limit: 1, window: w, now: T0 + 400 * 86_400_000 });
      expect(r.admitted).toBe(false);
      expect(r.retryAfterMs).toBe(Number.POSITIVE_INFINITY);
    });

    it('is exact under concurrency: 200 parallel calls against a limit of 50 admit exactly 50', async () => {
      const s = await fresh();
      const all = await Promise.all(Array.from({ length: 200 }, (_, i) => s.consume('hot', req(T0 + (i % 7), 50))));
      expect(all.filter((r) => r.admitted)).toHaveLength(50);
      const fixed: CounterWindow = { kind: 'fixed', periodMs: MIN, anchorMs: 0 };
      const f = await Promise.all(Array.from({ length: 120 }, () => s.consume('hotq', { limit: 30, window: fixed, now: T0 })));
      expect(f.filter((r) => r.admitted)).toHaveLength(30);
    });

    it('stores, overwrites, expires and deletes values by the caller clock', async () => {
      const s = await fresh();
      expect(await s.getValue('v', T0)).toBeUndefined();
      await s.setValue('v', 'one', 10_000, T0);
      expect(await s.getValue('v', T0 + 9_999)).toBe('one');
      expect(await s.getValue('v', T0 + 10_000)).toBeUndefined();
      await s.setValue('v', 'two\nlines ünïcode', 10_000, T0);
      expect(await s.getValue('v', T0 + 1)).toBe('two\nlines ünïcode');
      await s.deleteValue('v');
      expect(await s.getValue('v', T0 + 1)).toBeUndefined();
      await s.deleteValue('never-there');
    });

    it('keeps namespaces apart', async () => {
      const a = await fresh();
      const b = await fresh();
      await a.setValue('same', 'a', 10_000, T0);
      await a.consume('same', req(T0, 1));
      expect(await b.getValue('same', T0)).toBeUndefined();
      expect((await b.consume('same', req(T0, 1))).admitted).toBe(true);
    });
  });
}
