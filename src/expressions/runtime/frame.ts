/** Per-evaluation state shared by the evaluator and the runtime library. */
import type { ExpressionContext } from '../context.js';
import { LimitExceeded } from '../errors.js';

/** Limits and determinism hooks for one evaluation. */
export interface EvaluateOptions {
  /** Loop iterations + lambda invocations allowed per evaluation. Default 1 000 000. */
  maxIterations?: number;
  /** Wall-clock budget per evaluation in ms. Default 1000. */
  timeoutMs?: number;
  /** Clock for `DateTime.UtcNow`/`Now`, `DateTimeOffset.UtcNow` (epoch ms). Default `Date.now`. */
  now?: () => number;
  /** Source for `new Random()` and `Guid.NewGuid()` ([0,1)). Default `Math.random`. */
  random?: () => number;
  /** Monotonic clock used for the time limit (ms). Default `performance.now`. */
  monotonic?: () => number;
}

export const DEFAULT_MAX_ITERATIONS = 1_000_000;
export const DEFAULT_TIMEOUT_MS = 1000;

export class Frame {
  steps = 0;
  ret: unknown = undefined;
  readonly slots: unknown[];
  readonly maxSteps: number;
  /** Computed on the first loop iteration: most expressions have no loop and never read the clock. */
  private deadline = -1;
  private readonly timeoutMs: number;
  readonly monotonic: () => number;
  readonly now: () => number;
  readonly random: () => number;
  /** Exceptions being handled (for `throw;`). */
  readonly handling: unknown[] = [];
  readonly opts: EvaluateOptions | undefined;
  constructor(
    readonly ctx: ExpressionContext,
    slotCount: number,
    opts: EvaluateOptions | undefined,
  ) {
    this.slots = slotCount ? new Array<unknown>(slotCount).fill(null) : EMPTY;
    this.opts = opts;
    this.maxSteps = opts?.maxIterations ?? DEFAULT_MAX_ITERATIONS;
    this.monotonic = opts?.monotonic ?? defaultMonotonic;
    this.timeoutMs = opts?.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.now = opts?.now ?? Date.now;
    this.random = opts?.random ?? Math.random;
  }
  /** Counts one loop iteration / lambda call; enforces the iteration and time limits. */
  tick(): void {
    const s = ++this.steps;
    if (this.deadline < 0) this.deadline = this.monotonic() + this.timeoutMs;
    if (s > this.maxSteps) throw new LimitExceeded(`Expression evaluation exceeded the limit of ${this.maxSteps} loop iterations.`);
    if ((s & 1023) === 0 && this.monotonic() > this.deadline) throw new LimitExceeded('Expression evaluation exceeded its time limit.');
  }
}

const EMPTY: unknown[] = [];
const defaultMonotonic = () => performance.now();

/** An `out`/`ref` argument: a writable reference to a local. */
export class Ref {
  constructor(
    readonly frame: Frame,
    readonly slot: number,
  ) {}
  get(): unknown {
    return this.frame.slots[this.slot];
  }
  set(v: unknown): void {
    this.frame.slots[this.slot] = v;
  }
}

/** What a runtime method receives besides its receiver and arguments. */
export interface CallSite {
  frame: Frame;
  /** Generic type arguments as written (`GetValueOrDefault<string>` → ['string']). */
  typeArgs: string[];
  /** Named-argument names by position (undefined for positional). */
  names: (string | undefined)[];
}

export type MethodImpl = (self: any, args: unknown[], site: CallSite) => unknown; // eslint-disable-line @typescript-eslint/no-explicit-any
export type PropImpl = (self: any, frame: Frame) => unknown; // eslint-disable-line @typescript-eslint/no-explicit-any

/** The allow-listed members of one receiver type. */
export interface TypeMembers {
  props?: Record<string, PropImpl>;
  methods?: Record<string, MethodImpl>;
  /** `new T(…)` (static tables only). */
  ctor?: (args: unknown[], site: CallSite) => unknown;
  /** Static return types for compile-time checking (method or property name → C# type). */
  returns?: Record<string, string>;
}
