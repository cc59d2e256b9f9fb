/**
 * Compiling composed policy sections into runnable blocks, once, at load (POLICY-ENGINE.md §3.2–§3.4).
 * Every problem becomes a positioned diagnostic; nothing is left to fail lazily at request time.
 */
import type { Diagnostic } from '../shared/errors.js';
import type { ComposedPolicy } from '../policy/index.js';
import { CompileFailure, PolicyError } from './errors.js';
import type {
  CompileConfig,
  CompileContext,
  CompiledBlock,
  CompiledPolicy,
  PolicyElement,
  PolicyModule,
  PolicyNode,
  PolicyPosition,
  PolicyResult,
  Scope,
  Section,
  SectionSignal,
  ValueSource,
} from './policies/types.js';
import type { RequestState } from './state.js';
import { ExpressionValue, LiteralValue, type ExpressionCompiler } from './values.js';

/** A policy placed in a pipeline: where it came from, for LastError and the trace. */
export interface PlacedPolicy {
  readonly policy: CompiledPolicy;
  readonly name: string;
  readonly scope: Scope;
  readonly section: Section;
  readonly path: string;
  readonly policyId: string;
  readonly pos: PolicyPosition;
}

/** Everything compilation needs besides the elements. */
export interface CompileEnv {
  readonly registry: ReadonlyMap<string, PolicyModule>;
  readonly compiler: ExpressionCompiler;
  /** `{{name}}` → value (after overrides); undefined when unknown. */
  readonly namedValue: (name: string) => string | undefined;
  readonly config: CompileConfig;
  readonly diagnostics: Diagnostic[];
  readonly warnings: Diagnostic[];
  /** Set when any compiled expression reads a request/response body. */
  readsBody: { request: boolean; response: boolean };
}

const NAMED_VALUE = /\{\{([A-Za-z0-9][A-Za-z0-9._\-]*)\}\}/g;

/** Substitutes `{{name}}` in `text`; unknown names are diagnostics at `pos`. */
function substitute(env: CompileEnv, text: string, pos: PolicyPosition, keepUnknown = false): string {
  if (text.indexOf('{{') < 0) return text;
  return text.replace(NAMED_VALUE, (whole, name: string) => {
    const v = env.namedValue(name);
    if (v === undefined) {
      if (keepUnknown) return whole;
      env.diagnostics.push(diag(pos, `named value "${name}" is not defined (or has no value in this environment)`));
      return whole;
    }
    return v;
  });
}

function diag(pos: PolicyPosition, message: string): Diagnostic {
  return { file: pos.file, line: pos.line, column: pos.column, message, severity: 'error' };
}

/** Makes a value from a (named-value-substituted) string. */
function makeValue(env: CompileEnv, raw: string, pos: PolicyPosition, what: string, section: Section, keepUnknown = false): ValueSource {
  const text = substitute(env, raw, pos, keepUnknown);
  const trimmed = text.trim();
  if (trimmed.startsWith('@(') || (trimmed.startsWith('@{') && !trimmed.startsWith('@{{'))) {
    let expr;
    try {
      expr = env.compiler.compile(trimmed, pos);
    } catch (e) {
      const p = (e as { line?: number; column?: number; file?: string }) ?? {};
      throw new CompileFailure({
        file: p.file ?? pos.file,
        line: p.line ?? pos.line,
        column: p.column ?? pos.column,
        message: `${what}: ${(e as Error).message}`,
        severity: 'error',
      });
    }
    if (expr.readsBody) {
      if (section === 'outbound' || section === 'on-error') env.readsBody.response = true;
      else env.readsBody.request = true;
      // Response bodies are read in outbound; request bodies may be read anywhere.
      env.readsBody.request ||= /Request\.Body/.test(trimmed);
    }
    return new ExpressionValue(expr, pos, env.compiler, what);
  }
  return new LiteralValue(text, pos, what);
}

/** Index suffix for LastError.Path (`when[2]`): only when there are several siblings of that name. */
function indexedNames(elements: readonly PolicyElement[]): string[] {
  const counts = new Map<string, number>();
  for (const e of elements) counts.set(e.name, (counts.get(e.name) ?? 0) + 1);
  const seen = new Map<string, number>();
  return elements.map((e) => {
    const n = (seen.get(e.name) ?? 0) + 1;
    seen.set(e.name, n);
    return (counts.get(e.name) ?? 1) > 1 ? `${e.name}[${n}]` : e.name;
  });
}

/** Compiles a list of placed elements (a composed section or a nested block). */
export function compileElements(
  env: CompileEnv,
  items: readonly { element: PolicyElement; scope: Scope }[],
  section: Section,
  parentPath: string,
): PlacedPolicy[] {
  const names = indexedNames(items.map((i) => i.element));
  const out: PlacedPolicy[] = [];
  items.forEach(({ element, scope }, idx) => {
    const path = parentPath ? `${parentPath}\\${names[idx]}` : names[idx]!;
    try {
      const placed = compileOne(env, element, scope, section, path);
      if (placed) out.push(placed);
    } catch (e) {
      if (e instanceof CompileFailure) env.diagnostics.push(e.diagnostic);
      else throw e;
    }
  });
  return out;
}

function compileOne(env: CompileEnv, el: PolicyElement, scope: Scope, section: Section, path: string): PlacedPolicy | undefined {
  const mod = env.registry.get(el.name);
  if (!mod) {
    if (el.name === 'base') {
      throw new CompileFailure(diag(el.pos, '<base /> is only allowed as a direct child of a section'));
    }
    throw new CompileFailure(diag(el.pos, `policy <${el.name}> is not supported by apimops serve`));
  }
  if (!mod.sections.includes(section)) {
    throw new CompileFailure(diag(el.pos, `policy <${el.name}> is not allowed in the ${section} section (allowed: ${mod.sections.join(', ')})`));
  }
  const ctx = makeContext(env, scope, section, path);
  const policy = mod.compile(el, ctx);
  const id = el.attributes.find((a) => a.name === 'id')?.value ?? '';
  return { policy, name: el.name, scope, section, path, policyId: id, pos: el.pos };
}

function makeContext(env: CompileEnv, scope: Scope, section: Section, path: string): CompileContext {
  const fail = (node: { pos: PolicyPosition }, message: string): never => {
    throw new CompileFailure(diag(node.pos, message));
  };
  const ctx: CompileContext = {
    section,
    scope,
    path,
    file: undefined,
    config: env.config,
    attr(el: PolicyElement, name: string, opts?: { required?: boolean }): any {
      const a = el.attributes.find((x) => x.name === name);
      if (!a) {
        if (opts?.required) fail(el, `<${el.name}> needs the ${name} attribute`);
        return undefined;
      }
      const raw = a.expression ? a.expression.source : a.value;
      return makeValue(env, raw, a.expression?.pos ?? a.valuePos ?? a.pos, `${el.name}@${name}`, section);
    },
    literal(el: PolicyElement, name: string, opts?: { required?: boolean }): any {
      const a = el.attributes.find((x) => x.name === name);
      if (!a) {
        if (opts?.required) fail(el, `<${el.name}> needs the ${name} attribute`);
        return undefined;
      }
      if (a.expression) fail(a, `${el.name}@${name} does not accept a policy expression`);
      const v = substitute(env, a.value, a.valuePos ?? a.pos);
      if (/^\s*@[({]/.test(v)) fail(a, `${el.name}@${name} does not accept a policy expression`);
      return v;
    },
    text(el: PolicyElement, opts?: { keepUnknownNamedValues?: boolean }): ValueSource | undefined {
      let raw = '';
      let pos: PolicyPosition | undefined;
      for (const c of el.children) {
        if (c.type === 'text') {
          if (c.expression) {
            raw = c.expression.source;
            pos = c.expression.pos;
            break;
          }
          raw += c.text;
          pos ??= c.pos;
        } else if (c.type === 'element') {
          // A literal XML body (`<set-body><order>…</order></set-body>`): the markup is the text.
          raw += serializeElement(c);
          pos ??= c.pos;
        }
      }
      if (pos === undefined || raw.length === 0) return undefined;
      // Element text keeps its inner whitespace but not the indentation around it.
      const trimmed = raw.trim();
      if (trimmed.length === 0) return undefined;
      return makeValue(env, trimmed, pos, `<${el.name}>`, section, opts?.keepUnknownNamedValues === true);
    },
    elements(el: PolicyElement, name?: string): PolicyElement[] {
      return el.children.filter((c): c is PolicyElement => c.type === 'element' && (name === undefined || c.name === name));
    },
    compileBlock(nodes: readonly PolicyNode[], pathSegment: string): CompiledBlock {
      const elements = nodes.filter((c): c is PolicyElement => c.type === 'element');
      const placed = compileElements(env, elements.map((element) => ({ element, scope })), section, pathSegment ? `${path}\\${pathSegment}` : path);
      return makeBlock(placed);
    },
    compileEach(nodes: readonly PolicyNode[]): CompiledBlock[] {
      const elements = nodes.filter((c): c is PolicyElement => c.type === 'element');
      return compileElements(env, elements.map((element) => ({ element, scope })), section, path).map((p) => makeBlock([p]));
    },
    fail,
    warn(node, message) {
      env.warnings.push({ ...diag(node.pos, message), severity: 'warn' });
    },
  };
  return ctx;
}

/** An element back to XML text (entities re-escaped; expressions kept as written). */
function serializeElement(el: PolicyElement): string {
  const esc = (t: string) => t.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  const attrs = el.attributes.map((a) => ` ${a.name}="${a.expression ? a.expression.source : esc(a.value).replace(/"/g, '&quot;')}"`).join('');
  if (el.children.length === 0) return `<${el.name}${attrs} />`;
  let inner = '';
  for (const c of el.children) {
    if (c.type === 'element') inner += serializeElement(c);
    else if (c.type === 'text') inner += c.expression ? c.expression.source : esc(c.text);
  }
  return `<${el.name}${attrs}>${inner}</${el.name}>`;
}

/** Turns anything thrown by a policy into a PolicyError annotated with where it happened. */
export function annotate(e: unknown, p: PlacedPolicy): PolicyError {
  if (e instanceof PolicyError) {
    if ((e as AnnotatedError).placed) return e;
    if (!e.init.source) e.init.source = p.name;
    (e as AnnotatedError).placed = p;
    return e;
  }
  const err = e as { name?: string; message?: string; csType?: string };
  const message = err?.message ?? String(e);
  const pe = new PolicyError({
    source: p.name,
    reason: 'ExpressionValueEvaluationFailure',
    message: `Expression evaluation failed. ${message}`,
    statusCode: 500,
    cause: e,
  });
  (pe as AnnotatedError).placed = p;
  return pe;
}

/** A PolicyError that knows the policy it came from. */
export type AnnotatedError = PolicyError & { placed?: PlacedPolicy };

function isPromise(v: unknown): v is Promise<void | SectionSignal> {
  return typeof (v as { then?: unknown } | undefined)?.then === 'function';
}

/** Runs placed policies in order; stays synchronous until a policy returns a promise. */
export function runPlaced(list: readonly PlacedPolicy[], state: RequestState, start = 0): PolicyResult {
  for (let i = start; i < list.length; i++) {
    const p = list[i]!;
    state.scope = p.scope;
    let r: PolicyResult;
    const t0 = state.trace ? state.trace.elapsed() : 0;
    try {
      r = p.policy.run(state);
    } catch (e) {
      throw annotate(e, p);
    }
    if (r === undefined) {
      if (state.trace) traceStep(state, p, t0);
      continue;
    }
    if (isPromise(r)) {
      return r.then(
        (v) => {
          if (state.trace) traceStep(state, p, t0);
          return v ? v : runPlaced(list, state, i + 1);
        },
        (e) => {
          throw annotate(e, p);
        },
      );
    }
    if (state.trace) traceStep(state, p, t0);
    return r;
  }
  return undefined;
}

function traceStep(state: RequestState, p: PlacedPolicy, t0: number): void {
  const t = state.trace!;
  t.add({ section: p.section, scope: p.scope, source: p.name, message: `${p.path} at ${p.pos.file}:${p.pos.line}:${p.pos.column}`, ms: round(t.elapsed() - t0) });
}
function round(n: number): number {
  return Math.round(n * 1000) / 1000;
}

/** A block from placed policies. */
export function makeBlock(placed: readonly PlacedPolicy[]): CompiledBlock {
  return {
    policies: placed.map((p) => p.policy),
    run: (state) => runPlaced(placed, state),
  };
}

/** Composed policies (from `composePolicies`) with their scope labels mapped to `Scope`s. */
export function toScoped(composed: readonly ComposedPolicy[]): { element: PolicyElement; scope: Scope }[] {
  return composed.map((c) => ({ element: c.element, scope: scopeOfLabel(c.scope) }));
}

function scopeOfLabel(label: string): Scope {
  const first = label.split(' ')[0] ?? label;
  return (['global', 'workspace', 'product', 'api', 'operation'].includes(first) ? first : 'global') as Scope;
}
