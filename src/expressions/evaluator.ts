/**
 * Compiles an AST into JS closures once (parse once, evaluate many) and runs them with C# semantics.
 * Member access, calls and `new` go only through the allow-listed tables of `runtime/library.ts`, keyed
 * by the receiver's runtime type (and checked at compile time when the static type is known). There is
 * no `eval`/`Function` anywhere, and host objects expose only the members named in `HOST_TYPES`.
 */
import type { Argument, Block, Expr, Program, Stmt, TypeRef } from './ast.js';
import { HOST_MEMBER_NAMES, HOST_TYPES, type ExpressionContext } from './context.js';
import { CsException, ExpressionError, Exceptions, LimitExceeded, positionOf, type SourceAt, type Span } from './errors.js';
import { toDisplayString } from './display.js';
import { JToken } from './json.js';
import { printType } from './print.js';
import { arith, bitwise, castTo, castToNormalized, csCompare, csEquals, isInstanceOf, normalizeTypeName, runtimeKey, toSequence, typeNameOf } from './runtime/convert.js';
import { Frame, Ref, type CallSite, type EvaluateOptions, type MethodImpl } from './runtime/frame.js';
import { ARITY, DISALLOWED_TYPES, INSTANCE, LINQ, NAMESPACES, OBJECT_MEMBERS, STATICS, defaultValue, implicitConvert, indexGet, isKnownTypeName, indexSet, memberSet, resolveStaticType, staticKeyOf } from './runtime/library.js';
import { CsAnonymous, CsChar, CsDouble, CsLambda, CsTypeRef, enumMember, ENUMS } from './values.js';

export type { EvaluateOptions } from './runtime/frame.js';

type Fn = (f: Frame) => unknown;
/** A compiled expression: its closure and, when known, its static C# type. */
interface C {
  fn: Fn;
  type?: string;
  /** Set when the expression names a type or namespace rather than a value. */
  typeName?: string;
  ns?: string;
}
/** Statement completion: normal, break, continue, return. */
const NORMAL = 0, BREAK = 1, CONTINUE = 2, RETURN = 3;
type SFn = (f: Frame) => number;

/** The null-conditional short-circuit marker: `a?.b.c` is null as a whole when `a` is null. */
const SHORT: unknown = Symbol('short-circuit');

interface Local {
  slot: number;
  type?: string;
  fn?: { params: number[]; body: SFn | Fn; isBlock: boolean; range: [number, number] };
}

class Scope {
  private readonly vars = new Map<string, Local>();
  constructor(readonly parent: Scope | null) {}
  lookup(name: string): Local | undefined {
    return this.vars.get(name) ?? this.parent?.lookup(name);
  }
  declare(name: string, local: Local): void {
    this.vars.set(name, local);
  }
  has(name: string): boolean {
    return this.vars.has(name);
  }
}

/** A compile-time warning (the expression compiles, but likely does not do what its author meant). */
export interface ExpressionWarning {
  code: string;
  message: string;
  span: Span;
  file: string | undefined;
  line: number;
  column: number;
}

/** Compiles a parsed program; the returned function evaluates it against a context. */
export function compileProgram(program: Program, source: string, at: SourceAt, warnings: ExpressionWarning[] = []): (ctx: ExpressionContext, opts?: EvaluateOptions) => unknown {
  const c = new Compiler(source, at, warnings);
  const root = new Scope(null);
  if (program.kind === 'Expression') {
    const e = c.expr(program.expr, root);
    const fn = e.fn;
    const slots = () => c.slotCount;
    const guard = c.guard(program.span, e);
    void guard;
    return (ctx, opts) => run(ctx, opts, slots(), fn, source, program.span, at);
  }
  const body = c.block(program.body, root);
  if (!definitelyExits(program.body)) {
    const end = program.body.span.end;
    c.fail('E_TYPE', 'Not all code paths return a value', { start: Math.max(0, end - 1), end });
  }
  const n = c.slotCount;
  return (ctx, opts) =>
    run(ctx, opts, n, (f) => {
      const r = body(f);
      if (r === RETURN) return f.ret;
      throw new CsException('InvalidOperationException', 'Not all code paths return a value.');
    }, source, program.span, at);
}

function run(ctx: ExpressionContext, opts: EvaluateOptions | undefined, slots: number, fn: Fn, source: string, span: Span, at: SourceAt): unknown {
  const f = new Frame(ctx, slots, opts);
  try {
    const v = fn(f);
    return v === SHORT ? null : v;
  } catch (err) {
    const cs = fromJsError(err);
    cs.source ??= source;
    cs.span ??= span;
    cs.at ??= at;
    throw cs;
  }
}

/** C# definite-assignment-style check that a block cannot fall off its end (CS0161). */
function definitelyExits(s: Stmt): boolean {
  switch (s.kind) {
    case 'Return': case 'Throw': return true;
    case 'Block': return s.body.some(definitelyExits);
    case 'If': return !!s.otherwise && definitelyExits(s.then) && definitelyExits(s.otherwise);
    case 'Try':
      if (s.finalizer && definitelyExits(s.finalizer)) return true;
      return definitelyExits(s.block) && s.catches.every((c) => definitelyExits(c.body));
    case 'While': return isTrueLiteral(s.test) && !containsBreak(s.body);
    case 'DoWhile': return (isTrueLiteral(s.test) && !containsBreak(s.body)) || (definitelyExits(s.body) && !containsBreak(s.body));
    case 'For': return (s.test === null || isTrueLiteral(s.test)) && !containsBreak(s.body);
    case 'Switch':
      return s.cases.some((c) => c.labels.includes(null)) && s.cases.every((c) => c.body.length > 0 && endsSection(c.body));
    case 'Using': return !!s.body && definitelyExits(s.body);
    default: return false;
  }
}
function endsSection(body: Stmt[]): boolean {
  return body.some((st) => definitelyExits(st) && !containsBreak(st));
}
function isTrueLiteral(e: Expr): boolean {
  return e.kind === 'Literal' && e.value === true;
}
function containsBreak(s: Stmt): boolean {
  switch (s.kind) {
    case 'Break': return true;
    case 'Block': return s.body.some(containsBreak);
    case 'If': return containsBreak(s.then) || (!!s.otherwise && containsBreak(s.otherwise));
    case 'Try': return containsBreak(s.block) || s.catches.some((c) => containsBreak(c.body)) || (!!s.finalizer && containsBreak(s.finalizer));
    case 'Using': return !!s.body && containsBreak(s.body);
    default: return false; // breaks in nested loops/switches belong to them
  }
}

function typeString(t: TypeRef): string {
  return printType(t).replace(/\s+/g, '');
}

const NUMERIC_TYPES = new Set(['int', 'long', 'short', 'byte', 'sbyte', 'ushort', 'uint', 'ulong', 'double', 'float', 'decimal', 'char']);

class Compiler {
  slotCount = 0;
  constructor(
    private readonly source: string,
    private readonly at: SourceAt,
    readonly warnings: ExpressionWarning[] = [],
  ) {}

  fail(code: 'E_PARSE' | 'E_UNSUPPORTED' | 'E_TYPE' | 'E_LIMIT', msg: string, span: Span, hint?: string): never {
    throw new ExpressionError(code, msg, this.source, span, this.at, hint);
  }
  /** Value expressions must not be bare type names (`@(String)`). */
  guard(span: Span, c: C): C {
    if (c.typeName || c.ns) this.fail('E_TYPE', `'${c.typeName ?? c.ns}' is a type, which is not valid in the given context`, span);
    return c;
  }
  private newSlot(): number {
    return this.slotCount++;
  }

  /** Wraps a runtime failure with the node's span so traces can point at it. */
  private located(fn: Fn, span: Span): Fn {
    const source = this.source;
    return (f) => {
      try {
        return fn(f);
      } catch (err) {
        const cs = err instanceof CsException ? err : fromJsError(err);
        if (cs.span === undefined) {
          cs.span = span;
          cs.source = source;
        }
        throw cs;
      }
    };
  }

  // ------------------------------------------------------------------ expressions
  /** A value expression (never a type name); null-conditional chains end here. */
  expr(e: Expr, scope: Scope): C {
    const c = this.guard(e.span, this.node(e, scope));
    if ((e.kind === 'Member' || e.kind === 'Call' || e.kind === 'Index') && hasNullConditional(e)) {
      const fn = c.fn;
      return { fn: (f) => { const v = fn(f); return v === SHORT ? null : v; }, type: c.type };
    }
    return c;
  }

  /** An operand inside a member/call/index chain (SHORT propagates). */
  private chain(e: Expr, scope: Scope): C {
    return this.node(e, scope);
  }

  private node(e: Expr, scope: Scope): C {
    switch (e.kind) {
      case 'Literal': return this.literal(e);
      case 'Interpolated': {
        const chunks = e.chunks;
        const parts = e.parts.map((p) => ({
          fn: this.expr(p.expr, scope).fn,
          align: p.align ? this.expr(p.align, scope).fn : undefined,
          format: p.format,
        }));
        return {
          type: 'string',
          fn: (f) => {
            let out = chunks[0]!;
            for (let i = 0; i < parts.length; i++) {
              const p = parts[i]!;
              const v = p.fn(f);
              let s = p.format !== undefined ? formatWith(v, p.format, f) : toDisplayString(v);
              if (p.align) {
                const w = Number(p.align(f));
                s = w < 0 ? s.padEnd(-w) : s.padStart(w);
              }
              out += s + chunks[i + 1]!;
            }
            return out;
          },
        };
      }
      case 'Name': return this.name(e, scope);
      case 'PredefinedType': return { fn: () => new CsTypeRef(e.name), typeName: normalizeTypeName(e.name) };
      case 'GenericName': {
        const t = resolveStaticType(e.name);
        if (!t) this.fail('E_UNSUPPORTED', `The type or method '${e.name}' is not available in policy expressions`, e.span);
        return { fn: () => new CsTypeRef(t), typeName: t };
      }
      case 'Member': return this.member(e, scope);
      case 'Index': return this.index(e, scope);
      case 'Call': return this.call(e, scope);
      case 'Unary': return this.unary(e, scope);
      case 'Postfix': return this.increment(e.operand, e.op, false, scope, e.span);
      case 'Binary': return this.binary(e, scope);
      case 'Conditional': {
        const t = this.expr(e.test, scope).fn;
        const a = this.expr(e.then, scope);
        const b = this.expr(e.otherwise, scope);
        return { fn: (f) => (truthy(t(f)) ? a.fn(f) : b.fn(f)), type: a.type === b.type ? a.type : undefined };
      }
      case 'Assign': return this.assign(e, scope);
      case 'Cast': {
        const operand = this.expr(e.operand, scope);
        const target = typeString(e.type);
        this.checkType(e.type);
        const fromObject = operand.type === 'object';
        const nullable = e.type.nullable;
        const fn = operand.fn;
        const t = normalizeTypeName(target);
        if (t === 'string') {
          return { fn: this.located((f) => { const v = fn(f); return typeof v === 'string' ? v : castToNormalized(v, t, nullable, fromObject); }, e.span), type: t };
        }
        return { fn: this.located((f) => castToNormalized(fn(f), t, nullable, fromObject), e.span), type: t };
      }
      case 'Is': {
        const operand = this.expr(e.operand, scope).fn;
        const neg = !!e.negated;
        if (e.pattern) {
          const p = this.expr(e.pattern, scope).fn;
          return { type: 'bool', fn: (f) => csEquals(operand(f), p(f)) !== neg };
        }
        const target = typeString(e.type!);
        this.checkType(e.type!);
        if (e.declare) {
          const slot = this.newSlot();
          scope.declare(e.declare, { slot, type: normalizeTypeName(target) });
          return { type: 'bool', fn: (f) => { const v = operand(f); const ok = isInstanceOf(v, target); if (ok) f.slots[slot] = v; return ok; } };
        }
        return { type: 'bool', fn: (f) => isInstanceOf(operand(f), target) !== neg };
      }
      case 'As': {
        const operand = this.expr(e.operand, scope).fn;
        const target = typeString(e.type);
        this.checkType(e.type);
        return { type: normalizeTypeName(target), fn: (f) => { const v = operand(f); return isInstanceOf(v, target) ? v : null; } };
      }
      case 'Lambda': return this.lambda(e, scope);
      case 'New': return this.newObject(e, scope);
      case 'NewArray': {
        const elem = e.type ? typeString(e.type) : undefined;
        if (e.type) this.checkType(e.type);
        const sizes = e.sizes.map((s) => this.expr(s, scope).fn);
        const init = e.init?.map((x) => this.expr(x, scope).fn);
        const isBytes = elem === 'byte' || elem === 'Byte' || elem === 'System.Byte';
        return {
          type: elem ? `${normalizeTypeName(elem)}[]` : undefined,
          fn: this.located((f) => {
            if (init) {
              const vals = init.map((g) => (elem ? implicitConvert(g(f), normalizeTypeName(elem)) : g(f)));
              if (sizes.length && Number(sizes[0]!(f)) !== vals.length) throw Exceptions.argument('An array initializer of the wrong length was given.');
              return isBytes ? Uint8Array.from(vals.map((v) => Number(v))) : vals;
            }
            const n = Number(sizes[0]!(f));
            if (n < 0) throw new CsException('OverflowException', 'Arithmetic operation resulted in an overflow.');
            if (isBytes) return new Uint8Array(n);
            const d = elem ? defaultValue(normalizeTypeName(elem)) : null;
            return new Array<unknown>(n).fill(d);
          }, e.span),
        };
      }
      case 'NewAnonymous': {
        const members = e.members.map((m) => ({ name: m.name, fn: this.expr(m.value, scope).fn }));
        return { fn: (f) => new CsAnonymous(new Map(members.map((m) => [m.name, m.fn(f)]))) };
      }
      case 'ArrayInit': {
        const items = e.items.map((x) => this.expr(x, scope).fn);
        return { fn: (f) => items.map((g) => g(f)) };
      }
      case 'TypeOf': {
        this.checkType(e.type);
        const t = typeString(e.type);
        return { fn: () => new CsTypeRef(t) };
      }
      case 'Default': {
        const t = e.type ? normalizeTypeName(typeString(e.type)) : undefined;
        return { fn: () => (t ? defaultValue(t) : null), type: t };
      }
    }
  }

  private literal(e: Extract<Expr, { kind: 'Literal' }>): C {
    let v: unknown;
    switch (e.type) {
      case 'int': case 'uint': v = Number(e.value); break;
      case 'long': case 'ulong': v = BigInt(e.value as string); break;
      case 'double': v = new CsDouble(Number(e.value)); break;
      case 'float': v = new CsDouble(Math.fround(Number(e.value)), 'float'); break;
      case 'decimal': v = new CsDouble(Number(e.value), 'decimal'); break;
      case 'char': v = new CsChar((e.value as string).charCodeAt(0)); break;
      default: v = e.value;
    }
    const type = e.type === 'null' ? undefined : e.type;
    return { fn: () => v, type };
  }

  private name(e: Extract<Expr, { kind: 'Name' }>, scope: Scope): C {
    const local = scope.lookup(e.name);
    if (local) {
      const slot = local.slot;
      return { fn: (f) => f.slots[slot], type: local.type };
    }
    if (e.name === 'context') return { fn: (f) => f.ctx, type: 'IContext' };
    const t = resolveStaticType(e.name);
    if (t) return { fn: () => new CsTypeRef(t), typeName: t };
    if (NAMESPACES.has(e.name)) return { fn: () => null, ns: e.name };
    if (DISALLOWED_TYPES.has(e.name)) this.fail('E_UNSUPPORTED', `The type '${e.name}' is not allowed in policy expressions`, e.span, 'APIM allows only the .NET types listed in the policy-expressions documentation');
    return this.fail('E_UNSUPPORTED', `The name '${e.name}' does not exist in the current context`, e.span);
  }

  private member(e: Extract<Expr, { kind: 'Member' }>, scope: Scope): C {
    const obj = this.chain(e.object, scope);
    const name = e.name;
    // namespace.Type / namespace.namespace
    if (obj.ns) {
      const full = `${obj.ns}.${name}`;
      if (NAMESPACES.has(full)) return { fn: () => null, ns: full };
      const t = resolveStaticType(full);
      if (t) return { fn: () => new CsTypeRef(t), typeName: t };
      if (DISALLOWED_TYPES.has(name) || DISALLOWED_TYPES.has(full)) this.fail('E_UNSUPPORTED', `The type '${full}' is not allowed in policy expressions`, e.span, 'APIM allows only the .NET types listed in the policy-expressions documentation');
      return this.fail('E_UNSUPPORTED', `The type or namespace name '${name}' does not exist in the namespace '${obj.ns}' (or is not allowed in policy expressions)`, e.span);
    }
    // Type.StaticMember
    if (obj.typeName) {
      const t = obj.typeName;
      const en = ENUMS[t] ? enumMember(t, name) : undefined;
      if (en) return { fn: () => en, type: t };
      const prop = STATICS[t]?.props?.[name];
      if (prop) return { fn: this.located((f) => prop(null, f), e.span), type: STATICS[t]?.returns?.[name] };
      const nested = resolveStaticType(`${t}.${name}`);
      if (nested) return { fn: () => new CsTypeRef(nested), typeName: nested };
      if (STATICS[t]?.methods?.[name]) this.fail('E_TYPE', `'${t}.${name}' is a method, which is not valid in the given context`, nameSpan(e.span, name));
      return this.fail('E_UNSUPPORTED', `'${t}' does not contain a definition for '${name}' (or it is not allowed in policy expressions)`, nameSpan(e.span, name));
    }
    // Nullable<T>: HasValue never throws; Value on null is InvalidOperationException
    if (name === 'HasValue' || (name === 'Value' && obj.type?.endsWith('?'))) {
      const of0 = obj.fn;
      const nc0 = e.nullConditional;
      const base = obj.type?.endsWith('?') ? obj.type.slice(0, -1) : undefined;
      return {
        type: name === 'HasValue' ? 'bool' : base,
        fn: this.located((f) => {
          const o = of0(f);
          if (o === SHORT) return SHORT;
          if (name === 'HasValue') return o !== null && o !== undefined;
          if (o === null || o === undefined) {
            if (nc0) return SHORT;
            throw new CsException('InvalidOperationException', 'Nullable object must have a value.');
          }
          return o;
        }, e.span),
      };
    }
    this.checkMember(obj.type, name, false, nameSpan(e.span, name));
    const of = obj.fn;
    const nc = e.nullConditional;
    const hostType = obj.type ? HOST_TYPES[obj.type] : undefined;
    const resultType = hostType?.[name] ?? staticMemberType(obj.type, name);
    return {
      type: resultType,
      fn: this.located((f) => {
        const o = of(f);
        if (o === SHORT) return SHORT;
        if (o === null || o === undefined) {
          if (nc) return SHORT;
          throw Exceptions.nullReference();
        }
        return getMember(o, name, f);
      }, e.span),
    };
  }

  /**
   * C# compiles `object == string` and `JToken == string` as *reference* comparisons (CS0252/CS0253):
   * on the real gateway they are false for strings built at run time. The local gateway compares values,
   * so it warns instead of silently disagreeing with production.
   */
  private checkComparison(l: string | undefined, r: string | undefined, e: Expr): void {
    const isTok = (t: string | undefined) => t === 'JToken' || t === 'JObject' || t === 'JArray' || t === 'JValue';
    const pair = (x: string | undefined, y: string | undefined) => (x === 'object' || isTok(x)) && y === 'string';
    if (pair(l, r) || pair(r, l)) {
      const other = pair(l, r) ? l : r;
      const pos = positionOf(this.source, e.span.start, this.at);
      this.warnings.push({
        code: 'CS0252',
        message: `Possible unintended reference comparison: '${other}' compared with 'string' compares references in C#; cast to (string) to compare values`,
        span: e.span,
        file: this.at.file,
        line: pos.line,
        column: pos.column,
      });
    }
  }

  /** CS1501: a call to a listed member with an argument count no overload accepts. */
  private checkArity(key: string, n: number, name: string, span: Span): void {
    const range = ARITY[key];
    if (range && (n < range[0] || n > range[1])) this.fail('E_TYPE', `No overload for method '${name}' takes ${n} arguments`, span);
  }

  /** Compile-time member check when the receiver's static type is known. */
  private checkMember(type: string | undefined, name: string, invoked: boolean, span: Span): void {
    if (!type) return;
    const host = HOST_TYPES[type];
    if (host) {
      const m = host[name];
      if (m === undefined && !(name in OBJECT_MEMBERS)) this.fail('E_UNSUPPORTED', `'${type}' does not contain a definition for '${name}'`, span);
      if (invoked && m !== undefined && !m.startsWith('method:')) this.fail('E_TYPE', `Non-invocable member '${type}.${name}' cannot be used like a method.`, span);
      return;
    }
    const key = staticKeyOf(type);
    if (!key) return;
    const t = INSTANCE[key];
    const known = !!(t?.props?.[name] || t?.methods?.[name] || OBJECT_MEMBERS[name] || (LINQ[name] && (key === 'array' || key === 'List' || key === 'Dictionary' || key === 'byte[]' || key === 'JArray' || key === 'JObject' || key === 'string')));
    if (!known) this.fail('E_UNSUPPORTED', `'${type}' does not contain a definition for '${name}' (or it is not allowed in policy expressions)`, span);
    if (invoked && t?.props?.[name] && !t.methods?.[name]) this.fail('E_TYPE', `Non-invocable member '${type}.${name}' cannot be used like a method.`, span);
  }

  private index(e: Extract<Expr, { kind: 'Index' }>, scope: Scope): C {
    const obj = this.chain(e.object, scope);
    if (obj.typeName || obj.ns) this.fail('E_TYPE', `'${obj.typeName ?? obj.ns}' is a type, which is not valid in the given context`, e.object.span);
    if (obj.type && HOST_TYPES[obj.type]) this.fail('E_TYPE', `Cannot apply indexing with [] to an expression of type '${obj.type}'`, e.span);
    const args = e.args.map((a) => this.expr(a, scope).fn);
    const of = obj.fn;
    const nc = e.nullConditional;
    const a0 = args[0]!;
    const elemType = indexResultType(obj.type);
    return {
      type: elemType,
      fn: this.located((f) => {
        const o = of(f);
        if (o === SHORT) return SHORT;
        if (o === null || o === undefined) {
          if (nc) return SHORT;
          throw Exceptions.nullReference();
        }
        return indexGet(o, args.length === 1 ? [a0(f)] : args.map((g) => g(f)));
      }, e.span),
    };
  }

  private args(args: Argument[], scope: Scope): { fns: ((f: Frame) => unknown)[]; names: (string | undefined)[] } {
    const fns = args.map((a) => {
      if (a.modifier === 'out' || a.modifier === 'ref') {
        let local: Local | undefined;
        if (a.declare) {
          local = { slot: this.newSlot(), type: a.declare.type ? normalizeTypeName(typeString(a.declare.type)) : undefined };
          scope.declare(a.declare.name, local);
        } else if (a.value.kind === 'Name') {
          local = scope.lookup(a.value.name);
          if (!local) this.fail('E_UNSUPPORTED', `The name '${a.value.name}' does not exist in the current context`, a.value.span);
        } else this.fail('E_UNSUPPORTED', 'Only local variables can be passed as out/ref arguments', a.value.span);
        const slot = local!.slot;
        return (f: Frame) => new Ref(f, slot);
      }
      return this.expr(a.value, scope).fn;
    });
    return { fns, names: args.map((a) => a.name) };
  }

  private call(e: Extract<Expr, { kind: 'Call' }>, scope: Scope): C {
    const typeArgs = e.typeArgs.map((t) => {
      this.checkType(t);
      return normalizeTypeName(typeString(t));
    });
    const callee = e.callee;
    // local function / delegate call: Name(args)
    if (callee.kind === 'Name') {
      const local = scope.lookup(callee.name);
      if (!local) {
        if (callee.name === 'nameof') this.fail('E_UNSUPPORTED', "'nameof' is not supported in policy expressions", callee.span);
        this.fail('E_UNSUPPORTED', `The name '${callee.name}' does not exist in the current context`, callee.span);
      }
      const { fns } = this.args(e.args, scope);
      const slot = local!.slot;
      return {
        type: local!.fn ? undefined : undefined,
        fn: this.located((f) => {
          const fnv = f.slots[slot];
          if (!(fnv instanceof CsLambda)) throw Exceptions.nullReference();
          return fnv.invoke(fns.map((g) => g(f)));
        }, e.span),
      };
    }
    if (callee.kind !== 'Member') {
      const target = this.expr(callee, scope);
      const { fns } = this.args(e.args, scope);
      if (target.type && (HOST_TYPES[target.type] || staticKeyOf(target.type))) this.fail('E_TYPE', `Cannot invoke a non-delegate value of type '${target.type}'`, e.span);
      return {
        fn: this.located((f) => {
          const fnv = target.fn(f);
          if (!(fnv instanceof CsLambda)) throw Exceptions.nullReference();
          return fnv.invoke(fns.map((g) => g(f)));
        }, e.span),
      };
    }
    const obj = this.chain(callee.object, scope);
    const name = callee.name;
    if (obj.ns) this.fail('E_UNSUPPORTED', `The type or namespace name '${name}' does not exist in the namespace '${obj.ns}' (or is not allowed in policy expressions)`, callee.span);
    const { fns, names } = this.args(e.args, scope);
    const n = fns.length;
    // static method
    if (obj.typeName) {
      const t = obj.typeName;
      const impl = STATICS[t]?.methods?.[name];
      if (!impl) {
        if (STATICS[t]?.props?.[name]) this.fail('E_TYPE', `Non-invocable member '${t}.${name}' cannot be used like a method.`, nameSpan(callee.span, name));
        this.fail('E_UNSUPPORTED', `'${t}' does not contain a method '${name}' (or it is not allowed in policy expressions)`, nameSpan(callee.span, name));
      }
      this.checkArity(`${t}.${name}`, n, name, nameSpan(callee.span, name));
      const rt = STATICS[t]?.returns?.[name] ?? (typeArgs.length === 1 && /^(Parse|DeserializeObject|FromObject)$/.test(name) ? typeArgs[0] : undefined);
      return {
        type: rt ?? genericReturn(name, typeArgs),
        fn: this.located((f) => {
          const args = new Array<unknown>(n);
          for (let i = 0; i < n; i++) args[i] = fns[i]!(f);
          return impl(null, args, { frame: f, typeArgs, names });
        }, e.span),
      };
    }
    this.checkMember(obj.type, name, true, nameSpan(callee.span, name));
    const key = obj.type && !HOST_TYPES[obj.type] ? staticKeyOf(obj.type) : undefined;
    if (key) this.checkArity(`~${key}.${name}`, n, name, nameSpan(callee.span, name));
    const of = obj.fn;
    const nc = callee.nullConditional;
    const hostRet = obj.type ? HOST_TYPES[obj.type]?.[name] : undefined;
    const rt = genericReturn(name, typeArgs, obj.type) ?? (hostRet?.startsWith('method:') ? hostRet.slice(7) : undefined);
    return {
      type: rt,
      fn: this.located((f) => {
        const o = of(f);
        if (o === SHORT) return SHORT;
        if (o === null || o === undefined) {
          if (nc) return SHORT;
          throw Exceptions.nullReference();
        }
        const args = new Array<unknown>(n);
        for (let i = 0; i < n; i++) args[i] = fns[i]!(f);
        return invokeMethod(o, name, args, { frame: f, typeArgs, names });
      }, e.span),
    };
  }

  private unary(e: Extract<Expr, { kind: 'Unary' }>, scope: Scope): C {
    if (e.op === '++' || e.op === '--') return this.increment(e.operand, e.op, true, scope, e.span);
    const o = this.expr(e.operand, scope);
    const fn = o.fn;
    switch (e.op) {
      case '!': return { type: 'bool', fn: this.located((f) => { const v = fn(f); if (v === null) return null; if (typeof v !== 'boolean') throw badOperand('!', v); return !v; }, e.span) };
      case '+': return { type: o.type, fn };
      case '~': return { type: o.type, fn: this.located((f) => { const v = fn(f); if (typeof v === 'number') return ~v; if (typeof v === 'bigint') return ~v; throw badOperand('~', v); }, e.span) };
      case '-': {
        // -2147483648 and -9223372036854775808 are literals in C#
        if (e.operand.kind === 'Literal' && (e.operand.type === 'uint' || e.operand.type === 'ulong') && (e.operand.value === '2147483648' || e.operand.value === '9223372036854775808')) {
          const v = e.operand.value === '2147483648' ? -2147483648 : -(2n ** 63n);
          return { type: typeof v === 'number' ? 'int' : 'long', fn: () => v };
        }
        return { type: o.type, fn: this.located((f) => { const v = fn(f); return v === null ? null : arith('-', typeof v === 'bigint' ? 0n : v instanceof CsDouble ? new CsDouble(0, v.kind) : 0, v); }, e.span) };
      }
    }
  }

  private increment(target: Expr, op: '++' | '--', prefix: boolean, scope: Scope, span: Span): C {
    const get = this.expr(target, scope).fn;
    const set = this.setter(target, scope);
    return {
      fn: this.located((f) => {
        const old = get(f);
        const nv = arith(op === '++' ? '+' : '-', old, 1);
        const stored = old instanceof CsChar && typeof nv === 'number' ? new CsChar(nv & 0xffff) : nv;
        set(f, stored);
        return prefix ? stored : old;
      }, span),
    };
  }

  private binary(e: Extract<Expr, { kind: 'Binary' }>, scope: Scope): C {
    const l = this.expr(e.left, scope);
    const r = this.expr(e.right, scope);
    const a = l.fn;
    const b = r.fn;
    const loc = (fn: Fn, type?: string): C => ({ fn: this.located(fn, e.span), type });
    switch (e.op) {
      case '&&': return loc((f) => { const x = a(f); if (typeof x !== 'boolean') throw badOperand('&&', x); return x ? bool(b(f), '&&') : false; }, 'bool');
      case '||': return loc((f) => { const x = a(f); if (typeof x !== 'boolean') throw badOperand('||', x); return x ? true : bool(b(f), '||'); }, 'bool');
      case '??': return { fn: (f) => { const x = a(f); return x === null || x === undefined ? b(f) : x; }, type: l.type ?? r.type };
      case '==': case '!=': {
        this.checkComparison(l.type, r.type, e);
        if (e.op === '==') return { fn: (f) => csEquals(a(f), b(f)), type: 'bool' };
        return { fn: (f) => !csEquals(a(f), b(f)), type: 'bool' };
      }
      case '<': return loc((f) => { const c = csCompare(a(f), b(f)); return c !== null && c < 0; }, 'bool');
      case '>': return loc((f) => { const c = csCompare(a(f), b(f)); return c !== null && c > 0; }, 'bool');
      case '<=': return loc((f) => { const c = csCompare(a(f), b(f)); return c !== null && c <= 0; }, 'bool');
      case '>=': return loc((f) => { const c = csCompare(a(f), b(f)); return c !== null && c >= 0; }, 'bool');
      case '+': case '-': case '*': case '/': case '%': {
        const op = e.op;
        return loc((f) => arith(op, a(f), b(f)), arithType(op, l.type, r.type));
      }
      case '&': case '|': case '^': case '<<': case '>>': {
        const op = e.op;
        return loc((f) => bitwise(op, a(f), b(f)), l.type);
      }
    }
  }

  /** A function that stores into an assignable expression (local, indexer, settable member). */
  private setter(target: Expr, scope: Scope): (f: Frame, v: unknown) => void {
    if (target.kind === 'Name') {
      const local = scope.lookup(target.name);
      if (!local) {
        if (target.name === 'context') this.fail('E_TYPE', 'The context object is read-only', target.span);
        this.fail('E_UNSUPPORTED', `The name '${target.name}' does not exist in the current context`, target.span);
      }
      const slot = local!.slot;
      const t = local!.type;
      if (t && NUMERIC_TYPES.has(t)) return (f, v) => { f.slots[slot] = implicitConvert(v, t); };
      return (f, v) => { f.slots[slot] = v; };
    }
    if (target.kind === 'Index') {
      const obj = this.expr(target.object, scope);
      if (obj.type?.startsWith('IReadOnlyDictionary')) this.fail('E_TYPE', `Property or indexer '${obj.type}.this[]' cannot be assigned to -- it is read only`, target.span);
      const args = target.args.map((x) => this.expr(x, scope).fn);
      const of = obj.fn;
      return (f, v) => {
        const o = of(f);
        if (o === null || o === undefined) throw Exceptions.nullReference();
        indexSet(o, args.map((g) => g(f)), v);
      };
    }
    if (target.kind === 'Member') {
      const obj = this.expr(target.object, scope);
      if (obj.type && HOST_TYPES[obj.type]) this.fail('E_TYPE', `Property '${obj.type}.${target.name}' cannot be assigned to -- it is read only`, target.span);
      const of = obj.fn;
      const name = target.name;
      return (f, v) => {
        const o = of(f);
        if (o === null || o === undefined) throw Exceptions.nullReference();
        memberSet(o, name, v);
      };
    }
    return this.fail('E_TYPE', 'The left-hand side of an assignment must be a variable, property or indexer', target.span);
  }

  private assign(e: Extract<Expr, { kind: 'Assign' }>, scope: Scope): C {
    const set = this.setter(e.target, scope);
    const val = this.expr(e.value, scope).fn;
    if (e.op === '=') return { fn: this.located((f) => { const v = val(f); set(f, v); return v; }, e.span) };
    const get = this.expr(e.target, scope).fn;
    const op = e.op.slice(0, -1);
    return {
      fn: this.located((f) => {
        const cur = get(f);
        let v: unknown;
        if (op === '??') v = cur === null || cur === undefined ? val(f) : cur;
        else if (op === '&' || op === '|' || op === '^' || op === '<<' || op === '>>') v = bitwise(op, cur, val(f));
        else v = arith(op, cur, val(f));
        set(f, v);
        return v;
      }, e.span),
    };
  }

  private lambda(e: Extract<Expr, { kind: 'Lambda' }>, scope: Scope): C {
    const inner = new Scope(scope);
    const slots = e.params.map((p) => {
      const slot = this.newSlot();
      inner.declare(p.name, { slot, type: p.type ? normalizeTypeName(typeString(p.type)) : undefined });
      return slot;
    });
    const arity = slots.length;
    if ('kind' in e.body && e.body.kind === 'Block') {
      const body = this.block(e.body as Block, inner);
      return {
        fn: (f) => new CsLambda(arity, (args) => {
          f.tick();
          for (let i = 0; i < arity; i++) f.slots[slots[i]!] = args[i];
          const r = body(f);
          return r === RETURN ? f.ret : null;
        }),
      };
    }
    const body = this.expr(e.body as Expr, inner).fn;
    if (arity === 1) {
      const s0 = slots[0]!;
      return { fn: (f) => new CsLambda(1, (args) => { f.tick(); f.slots[s0] = args[0]; return body(f); }) };
    }
    return {
      fn: (f) => new CsLambda(arity, (args) => {
        f.tick();
        for (let i = 0; i < arity; i++) f.slots[slots[i]!] = args[i];
        return body(f);
      }),
    };
  }

  private newObject(e: Extract<Expr, { kind: 'New' }>, scope: Scope): C {
    this.checkType(e.type);
    const full = typeString(e.type);
    const base = resolveStaticType(e.type.name) ?? normalizeTypeName(e.type.name);
    const ctor = STATICS[base]?.ctor;
    if (!ctor) this.fail('E_UNSUPPORTED', `Creating '${e.type.name}' objects is not supported in policy expressions`, e.type.span);
    const typeArgs = e.type.args.map((t) => normalizeTypeName(typeString(t)));
    const { fns, names } = this.args(e.args, scope);
    let init: ((f: Frame, o: unknown) => void) | undefined;
    if (e.init?.kind === 'Object') {
      const members = e.init.members.map((m) => ({ name: m.name, fn: this.expr(m.value, scope).fn }));
      init = (f, o) => { for (const m of members) memberSet(o, m.name, m.fn(f)); };
    } else if (e.init?.kind === 'Collection') {
      const groups = e.init.items.map((g) => g.map((x) => this.expr(x, scope).fn));
      init = (f, o) => {
        for (const g of groups) invokeMethod(o, 'Add', g.map((x) => x(f)), { frame: f, typeArgs: [], names: [] });
      };
    }
    return {
      type: normalizeTypeName(full),
      fn: this.located((f) => {
        const o = ctor!(fns.map((g) => g(f)), { frame: f, typeArgs, names });
        if (init) init(f, o);
        return o;
      }, e.span),
    };
  }

  /** Rejects types outside the allow-list (casts, `new`, declarations, `is`/`as`). */
  private checkType(t: TypeRef): void {
    const n = t.name;
    const last = n.split('.').pop()!;
    if (DISALLOWED_TYPES.has(last) || DISALLOWED_TYPES.has(n) || !isKnownTypeName(n)) {
      this.fail('E_UNSUPPORTED', `The type '${n}' is not allowed in policy expressions`, t.span, 'APIM allows only the .NET types listed in the policy-expressions documentation');
    }
    for (const a of t.args) this.checkType(a);
  }

  // ------------------------------------------------------------------ statements
  block(b: Block, parent: Scope): SFn {
    const scope = new Scope(parent);
    // local functions are visible in the whole block (hoisted)
    for (const s of b.body) if (s.kind === 'LocalFunction') scope.declare(s.name, { slot: this.newSlot() });
    const stmts = b.body.map((s) => this.stmt(s, scope));
    const n = stmts.length;
    if (n === 1) return stmts[0]!;
    return (f) => {
      for (let i = 0; i < n; i++) {
        const r = stmts[i]!(f);
        if (r !== NORMAL) return r;
      }
      return NORMAL;
    };
  }

  private stmt(s: Stmt, scope: Scope): SFn {
    switch (s.kind) {
      case 'Block': return this.block(s, scope);
      case 'Empty': return () => NORMAL;
      case 'ExprStmt': {
        const fn = this.expr(s.expr, scope).fn;
        return (f) => { fn(f); return NORMAL; };
      }
      case 'VarDecl': {
        const type = s.type ? normalizeTypeName(typeString(s.type)) : undefined;
        if (s.type) this.checkType(s.type);
        const parts = s.decls.map((d) => {
          if (scope.has(d.name)) this.fail('E_TYPE', `A local variable named '${d.name}' is already defined in this scope`, d.span);
          let init: Fn | undefined;
          let itype = type;
          if (d.init) {
            const c = d.init.kind === 'ArrayInit' && type === 'byte[]'
              ? (() => { const inner = this.expr(d.init!, scope).fn; return { fn: (f: Frame) => Uint8Array.from((inner(f) as unknown[]).map(Number)), type }; })()
              : this.expr(d.init, scope);
            init = c.fn;
            if (!type) itype = c.type;
          } else if (!type) this.fail('E_TYPE', 'Implicitly-typed variables must be initialized', d.span);
          const slot = this.newSlot();
          scope.declare(d.name, { slot, type: itype });
          const conv = type && NUMERIC_TYPES.has(type) ? type : undefined;
          const dflt = type ? defaultValue(type) : null;
          return { slot, init, conv, dflt };
        });
        return (f) => {
          for (const p of parts) f.slots[p.slot] = p.init ? (p.conv ? implicitConvert(p.init(f), p.conv) : p.init(f)) : p.dflt;
          return NORMAL;
        };
      }
      case 'If': {
        const t = this.expr(s.test, scope).fn;
        const a = this.stmt(s.then, new Scope(scope));
        const b = s.otherwise ? this.stmt(s.otherwise, new Scope(scope)) : undefined;
        return (f) => (bool(t(f), 'if') ? a(f) : b ? b(f) : NORMAL);
      }
      case 'While': {
        const t = this.expr(s.test, scope).fn;
        const body = this.stmt(s.body, new Scope(scope));
        return (f) => {
          while (bool(t(f), 'while')) {
            f.tick();
            const r = body(f);
            if (r === BREAK) break;
            if (r === RETURN) return r;
          }
          return NORMAL;
        };
      }
      case 'DoWhile': {
        const body = this.stmt(s.body, new Scope(scope));
        const t = this.expr(s.test, scope).fn;
        return (f) => {
          do {
            f.tick();
            const r = body(f);
            if (r === BREAK) break;
            if (r === RETURN) return r;
          } while (bool(t(f), 'while'));
          return NORMAL;
        };
      }
      case 'For': {
        const inner = new Scope(scope);
        const init = s.init.map((x) => this.stmt(x, inner));
        const t = s.test ? this.expr(s.test, inner).fn : undefined;
        const update = s.update.map((x) => this.expr(x, inner).fn);
        const body = this.stmt(s.body, new Scope(inner));
        return (f) => {
          for (const i of init) i(f);
          while (!t || bool(t(f), 'for')) {
            f.tick();
            const r = body(f);
            if (r === BREAK) break;
            if (r === RETURN) return r;
            for (const u of update) u(f);
          }
          return NORMAL;
        };
      }
      case 'Foreach': {
        const iter = this.expr(s.iterable, scope);
        const inner = new Scope(scope);
        const slot = this.newSlot();
        const type = s.type ? normalizeTypeName(typeString(s.type)) : elementType(iter.type);
        inner.declare(s.name, { slot, type });
        const castTarget = s.type ? typeString(s.type) : undefined;
        const body = this.stmt(s.body, inner);
        const it = iter.fn;
        return (f) => {
          const coll = it(f);
          if (coll === null || coll === undefined) throw Exceptions.nullReference();
          const seq = toSequence(coll);
          if (!seq) throw new CsException('InvalidOperationException', `foreach cannot operate on variables of type '${typeNameOf(coll)}'`);
          for (const item of [...seq]) {
            f.tick();
            f.slots[slot] = castTarget && item instanceof JToken ? castTo(item, castTarget, false, false) : item;
            const r = body(f);
            if (r === BREAK) break;
            if (r === RETURN) return r;
          }
          return NORMAL;
        };
      }
      case 'Switch': {
        const d = this.expr(s.discriminant, scope).fn;
        const inner = new Scope(scope);
        const cases = s.cases.map((c) => ({
          labels: c.labels.map((l) => (l ? this.expr(l, inner).fn : null)),
          body: this.block({ kind: 'Block', body: c.body, span: s.span }, inner),
        }));
        return (f) => {
          const v = d(f);
          let chosen = cases.find((c) => c.labels.some((l) => l !== null && csEquals(v, l(f))));
          chosen ??= cases.find((c) => c.labels.includes(null));
          if (!chosen) return NORMAL;
          const r = chosen.body(f);
          return r === BREAK ? NORMAL : r;
        };
      }
      case 'Break': return () => BREAK;
      case 'Continue': return () => CONTINUE;
      case 'Return': {
        if (!s.value) return (f) => { f.ret = null; return RETURN; };
        const v = this.expr(s.value, scope).fn;
        return (f) => { const x = v(f); f.ret = x === SHORT ? null : x; return RETURN; };
      }
      case 'Throw': {
        if (!s.value) {
          return (f) => {
            const cur = f.handling[f.handling.length - 1];
            if (!cur) throw new CsException('InvalidOperationException', 'No exception to rethrow.');
            throw cur;
          };
        }
        const v = this.located(this.expr(s.value, scope).fn, s.span);
        return (f) => {
          const x = v(f);
          if (x === null || x === undefined) throw Exceptions.nullReference();
          if (!(x instanceof CsException)) throw new CsException('InvalidCastException', `Unable to cast object of type '${typeNameOf(x)}' to type 'System.Exception'.`);
          throw x;
        };
      }
      case 'Try': {
        const block = this.block(s.block, scope);
        const catches = s.catches.map((c) => {
          const inner = new Scope(scope);
          let slot: number | undefined;
          if (c.name) {
            slot = this.newSlot();
            inner.declare(c.name, { slot, type: 'Exception' });
          }
          const type = c.type ? normalizeTypeName(typeString(c.type)) : undefined;
          return { type, slot, when: c.when ? this.expr(c.when, inner).fn : undefined, body: this.block(c.body, inner) };
        });
        const fin = s.finalizer ? this.block(s.finalizer, scope) : undefined;
        return (f) => {
          try {
            return block(f);
          } catch (err) {
            if (!(err instanceof CsException) || err instanceof LimitExceeded) throw err;
            for (const c of catches) {
              if (c.type && c.type !== 'Exception' && c.type !== 'SystemException' && c.type !== err.type) continue;
              if (c.slot !== undefined) f.slots[c.slot] = err;
              if (c.when && !truthy(c.when(f))) continue;
              f.handling.push(err);
              try {
                return c.body(f);
              } finally {
                f.handling.pop();
              }
            }
            throw err;
          } finally {
            if (fin) {
              const r = fin(f);
              if (r !== NORMAL) return r; // eslint-disable-line no-unsafe-finally
            }
          }
        };
      }
      case 'Using': {
        const res = this.stmt(s.resource, scope);
        const body = s.body ? this.stmt(s.body, new Scope(scope)) : undefined;
        return (f) => { res(f); return body ? body(f) : NORMAL; };
      }
      case 'LocalFunction': {
        const local = scope.lookup(s.name)!;
        const inner = new Scope(scope);
        const lo = this.slotCount;
        const slots = s.params.map((p) => {
          const slot = this.newSlot();
          inner.declare(p.name, { slot, type: p.type ? normalizeTypeName(typeString(p.type)) : undefined });
          return slot;
        });
        const isBlock = 'kind' in s.body && s.body.kind === 'Block';
        const body = isBlock ? this.block(s.body as Block, inner) : this.expr(s.body as Expr, inner).fn;
        const hi = this.slotCount;
        const slot = local.slot;
        const arity = slots.length;
        return (f) => {
          f.slots[slot] = new CsLambda(arity, (args) => {
            f.tick();
            // locals of the function are saved so recursion does not clobber the caller's
            const saved = f.slots.slice(lo, hi);
            try {
              for (let i = 0; i < arity; i++) f.slots[slots[i]!] = args[i];
              if (isBlock) {
                const r = (body as SFn)(f);
                return r === RETURN ? f.ret : null;
              }
              return (body as Fn)(f);
            } finally {
              for (let i = lo; i < hi; i++) f.slots[i] = saved[i - lo];
            }
          });
          return NORMAL;
        };
      }
    }
  }
}

/**
 * A JS error escaping the runtime library means a member was called with arguments C# overload resolution
 * would have rejected (wrong count or types), or that local-function recursion blew the stack. Either
 * way the gateway must see a .NET exception (→ ExpressionValueEvaluationFailure), never a JS stack trace.
 */
function fromJsError(err: unknown): CsException {
  if (err instanceof CsException) return err;
  try {
    // no regex here: near the stack limit even compiling one can overflow
    if (err instanceof RangeError && err.message.includes('call stack')) return stackExhausted();
    const msg = err instanceof Error ? err.message : String(err);
    return new CsException('ArgumentException', `The arguments are not valid for this member (${msg}).`);
  } catch {
    return stackExhausted();
  }
}
function stackExhausted(): CsException {
  return new CsException('InsufficientExecutionStackException', 'Insufficient stack to continue executing the program safely.');
}

/** Static result type of `l op r` (undefined when not certain: a wrong static type would cause false compile errors). */
function arithType(op: string, l: string | undefined, r: string | undefined): string | undefined {
  if (op === '+' && (l === 'string' || r === 'string')) return 'string';
  if (!l || !r) return undefined;
  if ((l === 'DateTime' || l === 'DateTimeOffset') && r === l && op === '-') return 'TimeSpan';
  if ((l === 'DateTime' || l === 'DateTimeOffset') && r === 'TimeSpan' && (op === '+' || op === '-')) return l;
  if (l === 'TimeSpan' && r === 'TimeSpan' && (op === '+' || op === '-')) return 'TimeSpan';
  if (l === r && ['int', 'long', 'double', 'decimal', 'float'].includes(l)) return l;
  return undefined;
}

/** The span of the member name at the end of a member-access span (`a.b.Name` → `Name`). */
function nameSpan(span: Span, name: string): Span {
  return { start: Math.max(span.start, span.end - name.length), end: span.end };
}

/** Does a member/call/index chain contain `?.` or `?[` (so it may short-circuit to null)? */
function hasNullConditional(e: Expr): boolean {
  for (let cur: Expr = e; ; ) {
    if (cur.kind === 'Member' || cur.kind === 'Index') {
      if (cur.nullConditional) return true;
      cur = cur.object;
    } else if (cur.kind === 'Call') cur = cur.callee;
    else return false;
  }
}

function truthy(v: unknown): boolean {
  return v === true;
}

function bool(v: unknown, op: string): boolean {
  if (typeof v === 'boolean') return v;
  throw badOperand(op, v);
}

function badOperand(op: string, v: unknown): CsException {
  if (v === null || v === undefined) return new CsException('InvalidOperationException', 'Nullable object must have a value.');
  return Exceptions.invalidCast(typeNameOf(v), 'System.Boolean');
}

function formatWith(v: unknown, format: string, f: Frame): string {
  if (v === null || v === undefined) return '';
  return toDisplayString(invokeMethod(v, 'ToString', [format], { frame: f, typeArgs: [], names: [] }));
}

/** Reads `o.name` through the allow-list. */
export function getMember(o: unknown, name: string, f: Frame): unknown {
  const key = runtimeKey(o);
  const prop = INSTANCE[key]?.props?.[name];
  if (prop) return prop(o, f);
  if (key === 'host') {
    if (!HOST_MEMBER_NAMES.has(name)) throw missingMember(o, name);
    const v = (o as Record<string, unknown>)[name];
    if (typeof v === 'function') throw missingMember(o, name);
    return v === undefined ? null : v;
  }
  const op = OBJECT_MEMBERS[name];
  if (op?.prop) return op.prop(o, f);
  throw missingMember(o, name);
}

/** Calls `o.name(args)` through the allow-list (instance methods, then LINQ/extension methods, then object). */
export function invokeMethod(o: unknown, name: string, args: unknown[], site: CallSite): unknown {
  const key = runtimeKey(o);
  const m: MethodImpl | undefined = INSTANCE[key]?.methods?.[name];
  if (m) return m(o, args, site);
  if (key === 'host' && HOST_MEMBER_NAMES.has(name)) {
    const fn = (o as Record<string, unknown>)[name];
    if (typeof fn === 'function') {
      if (name === 'Trace') {
        // context.Trace(message) or context.Trace(source, message)
        return args.length >= 2 ? fn.call(o, toDisplayString(args[0]), toDisplayString(args[1])) : fn.call(o, undefined, toDisplayString(args[0]));
      }
      return (fn as (...a: unknown[]) => unknown).call(o, ...(site.typeArgs.length ? [site.typeArgs[0], ...args] : args));
    }
    if (fn !== undefined) throw new CsException('InvalidOperationException', `Non-invocable member '${name}' cannot be used like a method.`);
  }
  const linq = LINQ[name];
  if (linq) {
    const seq = toSequence(o);
    if (seq) return linq(seq, args, site);
  }
  const om = OBJECT_MEMBERS[name]?.method;
  if (om) return om(o, args, site);
  throw missingMember(o, name);
}

function missingMember(o: unknown, name: string): CsException {
  return new CsException('MissingMemberException', `'${typeNameOf(o)}' does not contain a definition for '${name}'.`);
}

function staticMemberType(type: string | undefined, name: string): string | undefined {
  if (!type) return undefined;
  const key = staticKeyOf(type);
  return key ? INSTANCE[key]?.returns?.[name] : undefined;
}

function indexResultType(type: string | undefined): string | undefined {
  if (!type) return undefined;
  const m = /^I?(ReadOnly)?Dictionary<[^,]+,(.+)>$/.exec(type);
  if (m) return normalizeTypeName(m[2]!);
  if (type.endsWith('[]')) return type.slice(0, -2);
  if (type === 'JObject' || type === 'JToken' || type === 'JArray') return 'JToken';
  if (type === 'string') return 'char';
  return undefined;
}

function elementType(type: string | undefined): string | undefined {
  if (!type) return undefined;
  if (type.endsWith('[]')) return type.slice(0, -2);
  const m = /^(?:List|IEnumerable|IList|HashSet)<(.+)>$/.exec(type);
  if (m) return normalizeTypeName(m[1]!);
  if (type === 'JArray') return 'JToken';
  if (type === 'JObject') return 'JProperty';
  return undefined;
}

function genericReturn(name: string, typeArgs: string[], receiver?: string): string | undefined {
  if (typeArgs.length === 1 && /^(GetValueOrDefault|As|Value|ToObject|DeserializeObject|Parse|FromObject)$/.test(name)) return typeArgs[0];
  if (receiver === 'IReadOnlyDictionary<string,object>' && name === 'GetValueOrDefault') return 'object';
  if (name === 'ToString') return 'string';
  const key = receiver ? staticKeyOf(receiver) : undefined;
  return key ? INSTANCE[key]?.returns?.[name] : undefined;
}
