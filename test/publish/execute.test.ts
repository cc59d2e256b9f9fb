import { describe, expect, it } from 'vitest';
import { emptyState, putResource, type Resource } from '../../src/artifacts/model.js';
import type { Change } from '../../src/diff/diff.js';
import { diffStates } from '../../src/diff/diff.js';
import { executePlan, retryReason, type StepApplier } from '../../src/publish/execute.js';
import { planChanges } from '../../src/publish/plan.js';

class HttpLikeError extends Error {
  constructor(readonly statusCode: number, message: string, readonly code?: string) {
    super(message);
  }
}

/** An in-memory service with latency and scripted failures: records what ran concurrently. */
class MemoryTarget implements StepApplier {
  readonly store = new Map<string, Resource>();
  readonly log: string[] = [];
  inFlight = 0;
  maxInFlight = 0;
  maxNamedValuesInFlight = 0;
  private nvInFlight = 0;
  constructor(private readonly failures: Map<string, Error[]> = new Map()) {}
  async apply(c: Change): Promise<void> {
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    if (c.kind === 'namedValue') this.maxNamedValuesInFlight = Math.max(this.maxNamedValuesInFlight, ++this.nvInFlight);
    try {
      await new Promise((r) => setImmediate(r));
      const f = this.failures.get(c.key)?.shift();
      if (f) throw f;
      if (c.op === 'delete') this.store.delete(c.key);
      else this.store.set(c.key, c.after!);
      this.log.push(`${c.op} ${c.key}`);
    } finally {
      this.inFlight--;
      if (c.kind === 'namedValue') this.nvInFlight--;
    }
  }
}

function bigTarget(n: number) {
  const s = emptyState();
  for (let i = 0; i < n; i++) {
    putResource(s, { kind: 'namedValue', key: `/namedValues/nv${i}`, name: `nv${i}`, properties: { displayName: `NV${i}`, value: 'v' } });
    putResource(s, { kind: 'api', key: `/apis/a${i}`, name: `a${i}`, properties: { path: `a${i}`, displayName: `A${i}` } });
  }
  return s;
}

describe('executePlan', () => {
  it('bounds parallelism, serialises named-value writes, and keeps levels in order', async () => {
    const target = bigTarget(20);
    const plan = planChanges(diffStates(emptyState(), target), emptyState(), target);
    const svc = new MemoryTarget();
    const result = await executePlan(plan, svc, { parallelism: 4 });
    expect(result.complete).toBe(true);
    expect(result.done).toHaveLength(40);
    expect(svc.maxInFlight).toBe(4);
    expect(svc.maxNamedValuesInFlight).toBe(1);
    const lastNv = Math.max(...svc.log.map((l, i) => (l.includes('namedValues') ? i : -1)));
    const firstApi = svc.log.findIndex((l) => l.includes('/apis/'));
    expect(lastNv).toBeLessThan(firstApi);
  });

  it('retries 429 / 409 in progress / 412 with back-off and gives up on a 400', async () => {
    const target = bigTarget(1);
    const plan = planChanges(diffStates(emptyState(), target), emptyState(), target);
    const failures = new Map<string, Error[]>([
      ['/apis/a0', [new HttpLikeError(429, 'throttled'), new HttpLikeError(409, 'Operation on the API is in progress', 'Conflict'), new HttpLikeError(412, 'etag')]],
    ]);
    const slept: number[] = [];
    const svc = new MemoryTarget(failures);
    const result = await executePlan(plan, svc, { parallelism: 2, baseDelayMs: 100, sleep: async (ms) => void slept.push(ms) });
    expect(result.complete).toBe(true);
    expect(slept).toEqual([100, 200, 400]);
    expect(retryReason(new HttpLikeError(400, 'ValidationError'))).toBeUndefined();
    expect(retryReason(new HttpLikeError(409, 'name already exists'))).toBeUndefined();
  });

  it('stops after a failing level, reporting done / failed / not run', async () => {
    const s = bigTarget(2);
    putResource(s, { kind: 'apiPolicy', key: '/apis/a0/policies/policy', name: 'policy', parent: '/apis/a0', properties: {}, policy: { text: '<policies/>' } });
    const plan = planChanges(diffStates(emptyState(), s), emptyState(), s);
    const svc = new MemoryTarget(new Map([['/apis/a1', [new HttpLikeError(400, 'invalid path')]]]));
    const result = await executePlan(plan, svc, { parallelism: 8, sleep: async () => {} });
    expect(result.complete).toBe(false);
    expect(result.failed.map((f) => f.step.change.key)).toEqual(['/apis/a1']);
    expect(result.done.map((d) => d.change.key).sort()).toEqual(['/apis/a0', '/namedValues/nv0', '/namedValues/nv1']);
    expect(result.notRun.map((d) => d.change.key)).toEqual(['/apis/a0/policies/policy']);
  });

  it('rejects a parallelism below 1', async () => {
    const plan = planChanges(diffStates(emptyState(), emptyState()), emptyState(), emptyState());
    await expect(executePlan(plan, new MemoryTarget(), { parallelism: 0 })).rejects.toThrow(/parallelism/);
  });
});
