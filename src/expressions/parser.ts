/**
 * A Pratt parser for the C# policy-expression subset (POLICY-ENGINE.md §6; STYLE.md A6). Binding powers
 * follow C# precedence; casts, generic calls and lambdas are disambiguated by bounded look-ahead over the
 * token array (the parser backtracks by resetting an index, never by catching its own errors).
 */
import type { Argument, Block, BinaryOp, CatchClause, Expr, Initializer, LiteralType, Program, Stmt, SwitchCase, TypeRef, VarDeclarator, AssignOp } from './ast.js';
import { ExpressionError, type SourceAt, type Span } from './errors.js';
import { lex, type Token } from './lexer.js';

/** Parse-time limits (a hostile or generated policy cannot blow the stack or the heap). */
export interface ParseLimits {
  /** Maximum number of AST nodes. Default 20 000. */
  maxNodes?: number;
  /** Maximum nesting depth of expressions/statements. Default 200. */
  maxDepth?: number;
}

export const DEFAULT_PARSE_LIMITS: Required<ParseLimits> = { maxNodes: 20_000, maxDepth: 200 };

const PREDEFINED = new Set(['bool', 'byte', 'char', 'decimal', 'double', 'float', 'int', 'long', 'object', 'sbyte', 'short', 'string', 'uint', 'ulong', 'ushort', 'void', 'dynamic']);

const BINARY_BP: Record<string, number> = {
  '??': 3, '||': 4, '&&': 5, '|': 6, '^': 7, '&': 8, '==': 9, '!=': 9, '<': 10, '>': 10, '<=': 10, '>=': 10,
  '<<': 11, '>>': 11, '+': 12, '-': 12, '*': 13, '/': 13, '%': 13,
};
const ASSIGN_OPS = new Set(['=', '+=', '-=', '*=', '/=', '%=', '&=', '|=', '^=', '<<=', '>>=', '??=']);
const PREFIX_BP = 14;

/** Parses the whole `@( … )` / `@{ … }` text (a bare expression without `@` is accepted too). */
export function parseProgram(source: string, at: SourceAt = {}, limits: ParseLimits = {}): Program {
  return new Parser(source, at, { ...DEFAULT_PARSE_LIMITS, ...limits }).program();
}

class Parser {
  private toks: Token[] = [];
  private pos = 0;
  private nodes = 0;
  private depth = 0;
  constructor(
    private readonly src: string,
    private readonly at: SourceAt,
    private readonly limits: Required<ParseLimits>,
  ) {}

  // ------------------------------------------------------------------ helpers
  private get t(): Token {
    return this.toks[this.pos]!;
  }
  private atEof(): boolean {
    return this.toks[this.pos]!.kind === 'eof';
  }
  private peek(n = 1): Token {
    return this.toks[Math.min(this.pos + n, this.toks.length - 1)]!;
  }
  private is(value: string, tok: Token = this.t): boolean {
    return (tok.kind === 'punct' || tok.kind === 'keyword') && tok.value === value;
  }
  private isIdent(tok: Token = this.t, name?: string): boolean {
    return tok.kind === 'ident' && (name === undefined || tok.value === name);
  }
  private eat(value: string): boolean {
    if (this.is(value)) {
      this.pos++;
      return true;
    }
    return false;
  }
  private expect(value: string): Token {
    if (!this.is(value)) this.fail(`'${value}' expected`, this.t);
    return this.toks[this.pos++]!;
  }
  private ident(): Token {
    if (this.t.kind !== 'ident') this.fail('Identifier expected', this.t);
    return this.toks[this.pos++]!;
  }
  private fail(msg: string, tok: Token | Span, code: 'E_PARSE' | 'E_LIMIT' | 'E_UNSUPPORTED' = 'E_PARSE'): never {
    const span = { start: tok.start, end: Math.max(tok.end, tok.start + 1) };
    throw new ExpressionError(code, msg, this.src, span, this.at);
  }
  private describe(tok: Token): string {
    if (tok.kind === 'eof') return 'end of expression';
    return `'${this.src.slice(tok.start, tok.end)}'`;
  }
  private span(start: number): Span {
    const prev = this.toks[this.pos - 1];
    return { start, end: prev ? Math.max(prev.end, start) : start };
  }
  /** Counts a node against the size limit and returns it. */
  private n<T>(node: T): T {
    if (++this.nodes > this.limits.maxNodes) this.fail(`Expression is too large (more than ${this.limits.maxNodes} syntax nodes)`, this.t, 'E_LIMIT');
    return node;
  }
  private enter(): void {
    if (++this.depth > this.limits.maxDepth) this.fail(`Expression is nested too deeply (more than ${this.limits.maxDepth} levels)`, this.t, 'E_LIMIT');
  }
  private leave(): void {
    this.depth--;
  }

  // ------------------------------------------------------------------ program
  program(): Program {
    let i = 0;
    while (i < this.src.length && /\s/.test(this.src[i]!)) i++;
    if (this.src[i] === '@' && (this.src[i + 1] === '(' || this.src[i + 1] === '{')) {
      const open = this.src[i + 1]!;
      this.toks = lex(this.src, this.at, i + 1);
      this.pos = 0;
      const start = i;
      this.pos++; // ( or {
      if (open === '(') {
        if (this.is(')')) this.fail('Invalid expression term \')\'', this.t);
        const expr = this.expr();
        if (!this.is(')')) this.fail(this.atEof() ? "')' expected" : `Unexpected ${this.describe(this.t)}: ')' expected`, this.t);
        this.pos++;
        if (this.t.kind !== 'eof') this.fail(`Unexpected ${this.describe(this.t)} after the end of the expression`, this.t);
        return { kind: 'Expression', expr, span: this.span(start) };
      }
      const body: Stmt[] = [];
      const bstart = this.toks[0]!.start;
      while (!this.is('}')) {
        if (this.atEof()) this.fail("'}' expected", this.t);
        body.push(this.statement());
      }
      this.pos++;
      if (this.t.kind !== 'eof') this.fail(`Unexpected ${this.describe(this.t)} after the end of the block`, this.t);
      return { kind: 'Statements', body: { kind: 'Block', body, span: this.span(bstart) }, span: this.span(start) };
    }
    this.toks = lex(this.src, this.at, i);
    if (this.atEof()) this.fail('Expression expected', this.t);
    const expr = this.expr();
    if (this.t.kind !== 'eof') this.fail(`Unexpected ${this.describe(this.t)} after the end of the expression`, this.t);
    return { kind: 'Expression', expr, span: { start: i, end: this.src.length } };
  }

  // ------------------------------------------------------------------ types
  /** Tries to parse a type at the cursor; restores the cursor and returns null when there is none. */
  private tryType(allowRank = true, allowNullable = true): TypeRef | null {
    const save = this.pos;
    const saveNodes = this.nodes;
    const t = this.typeInner(allowRank, allowNullable);
    if (!t) {
      this.pos = save;
      this.nodes = saveNodes;
    }
    return t;
  }
  private typeInner(allowRank: boolean, allowNullable: boolean): TypeRef | null {
    const start = this.t.start;
    let name: string;
    const args: TypeRef[] = [];
    if (this.t.kind === 'keyword' && PREDEFINED.has(this.t.value)) {
      name = this.t.value;
      this.pos++;
    } else if (this.t.kind === 'ident') {
      name = this.t.value;
      this.pos++;
      for (;;) {
        if (this.is('<')) {
          const a = this.typeArgs();
          if (!a) return null;
          args.push(...a);
        }
        if (this.is('.') && this.peek().kind === 'ident' && args.length === 0) {
          name += '.' + this.peek().value;
          this.pos += 2;
          continue;
        }
        break;
      }
    } else return null;
    let nullable = false;
    if (allowNullable && this.is('?') && !this.startsExpression(this.peek())) {
      nullable = true;
      this.pos++;
    }
    let rank = 0;
    while (allowRank && this.is('[') && (this.is(']', this.peek()) || this.is(',', this.peek()))) {
      this.pos++;
      while (this.eat(',')) { /* multi-dimensional: counted as one rank */ }
      this.expect(']');
      rank++;
    }
    return this.n({ kind: 'Type', name, args, rank, nullable, span: this.span(start) });
  }
  /** `<T, U>` — null (cursor unspecified) when it is not a type-argument list. */
  private typeArgs(): TypeRef[] | null {
    if (!this.eat('<')) return null;
    const out: TypeRef[] = [];
    for (;;) {
      const t = this.typeInner(true, true);
      if (!t) return null;
      out.push(t);
      if (this.eat(',')) continue;
      if (this.eat('>')) return out;
      return null;
    }
  }
  private type(): TypeRef {
    const t = this.tryType();
    if (!t) this.fail(`Type expected, found ${this.describe(this.t)}`, this.t);
    return t;
  }
  /** Could `tok` begin an expression operand (used for `T?` vs ternary and cast disambiguation)? */
  private startsExpression(tok: Token): boolean {
    if (tok.kind === 'ident' || tok.kind === 'number' || tok.kind === 'string' || tok.kind === 'char' || tok.kind === 'interp') return true;
    if (tok.kind === 'keyword') return ['true', 'false', 'null', 'new', 'this', 'typeof', 'default', 'base', 'checked', 'unchecked'].includes(tok.value) || PREDEFINED.has(tok.value);
    return tok.kind === 'punct' && ['(', '!', '~', '-', '+', '++', '--'].includes(tok.value);
  }

  // ------------------------------------------------------------------ statements
  private block(): Block {
    const start = this.t.start;
    this.expect('{');
    this.enter();
    const body: Stmt[] = [];
    while (!this.is('}')) {
      if (this.atEof()) this.fail("'}' expected", this.t);
      body.push(this.statement());
    }
    this.pos++;
    this.leave();
    return this.n({ kind: 'Block', body, span: this.span(start) });
  }

  private statement(): Stmt {
    this.enter();
    try {
      return this.statementInner();
    } finally {
      this.leave();
    }
  }

  private statementInner(): Stmt {
    const start = this.t.start;
    const t = this.t;
    if (this.is('{')) return this.block();
    if (this.eat(';')) return this.n({ kind: 'Empty', span: this.span(start) });
    if (t.kind === 'keyword') {
      switch (t.value) {
        case 'if': {
          this.pos++;
          this.expect('(');
          const test = this.expr();
          this.expect(')');
          const then = this.statement();
          const otherwise = this.eat('else') ? this.statement() : null;
          return this.n({ kind: 'If', test, then, otherwise, span: this.span(start) });
        }
        case 'while': {
          this.pos++;
          this.expect('(');
          const test = this.expr();
          this.expect(')');
          const body = this.statement();
          return this.n({ kind: 'While', test, body, span: this.span(start) });
        }
        case 'do': {
          this.pos++;
          const body = this.statement();
          this.expect('while');
          this.expect('(');
          const test = this.expr();
          this.expect(')');
          this.expect(';');
          return this.n({ kind: 'DoWhile', body, test, span: this.span(start) });
        }
        case 'for': {
          this.pos++;
          this.expect('(');
          const init: Stmt[] = [];
          if (!this.is(';')) {
            const decl = this.tryDeclaration();
            if (decl) init.push(decl);
            else {
              do {
                const e = this.expr();
                init.push(this.n({ kind: 'ExprStmt', expr: e, span: e.span }));
              } while (this.eat(','));
            }
          }
          this.expect(';');
          const test = this.is(';') ? null : this.expr();
          this.expect(';');
          const update: Expr[] = [];
          if (!this.is(')')) {
            do update.push(this.expr());
            while (this.eat(','));
          }
          this.expect(')');
          const body = this.statement();
          return this.n({ kind: 'For', init, test, update, body, span: this.span(start) });
        }
        case 'foreach': {
          this.pos++;
          this.expect('(');
          let type: TypeRef | null = null;
          if (this.isIdent(this.t, 'var') && this.peek().kind === 'ident') this.pos++;
          else type = this.type();
          const name = this.ident().value;
          this.expect('in');
          const iterable = this.expr();
          this.expect(')');
          const body = this.statement();
          return this.n({ kind: 'Foreach', type, name, iterable, body, span: this.span(start) });
        }
        case 'switch': {
          this.pos++;
          this.expect('(');
          const discriminant = this.expr();
          this.expect(')');
          this.expect('{');
          const cases: SwitchCase[] = [];
          while (!this.eat('}')) {
            const labels: (Expr | null)[] = [];
            while (this.is('case') || this.is('default')) {
              if (this.eat('default')) labels.push(null);
              else {
                this.pos++;
                labels.push(this.expr());
              }
              this.expect(':');
            }
            if (labels.length === 0) this.fail(`'case' or 'default' expected, found ${this.describe(this.t)}`, this.t);
            const body: Stmt[] = [];
            while (!this.is('case') && !this.is('default') && !this.is('}')) {
              if (this.atEof()) this.fail("'}' expected", this.t);
              body.push(this.statement());
            }
            cases.push({ labels, body });
          }
          return this.n({ kind: 'Switch', discriminant, cases, span: this.span(start) });
        }
        case 'break':
          this.pos++;
          this.expect(';');
          return this.n({ kind: 'Break', span: this.span(start) });
        case 'continue':
          this.pos++;
          this.expect(';');
          return this.n({ kind: 'Continue', span: this.span(start) });
        case 'return': {
          this.pos++;
          const value = this.is(';') ? null : this.expr();
          this.expect(';');
          return this.n({ kind: 'Return', value, span: this.span(start) });
        }
        case 'throw': {
          this.pos++;
          const value = this.is(';') ? null : this.expr();
          this.expect(';');
          return this.n({ kind: 'Throw', value, span: this.span(start) });
        }
        case 'try': {
          this.pos++;
          const block = this.block();
          const catches: CatchClause[] = [];
          while (this.eat('catch')) {
            let type: TypeRef | null = null;
            let name: string | null = null;
            if (this.eat('(')) {
              type = this.type();
              if (this.t.kind === 'ident') name = this.ident().value;
              this.expect(')');
            }
            let when: Expr | null = null;
            if (this.isIdent(this.t, 'when')) {
              this.pos++;
              this.expect('(');
              when = this.expr();
              this.expect(')');
            }
            catches.push({ type, name, when, body: this.block() });
          }
          const finalizer = this.eat('finally') ? this.block() : null;
          if (catches.length === 0 && !finalizer) this.fail("Expected catch or finally", this.t);
          return this.n({ kind: 'Try', block, catches, finalizer, span: this.span(start) });
        }
        case 'using': {
          this.pos++;
          if (this.eat('(')) {
            const decl = this.tryDeclaration();
            const resource: Stmt = decl ?? (() => { const e = this.expr(); return this.n({ kind: 'ExprStmt' as const, expr: e, span: e.span }); })();
            this.expect(')');
            const body = this.statement();
            return this.n({ kind: 'Using', resource, body, span: this.span(start) });
          }
          const decl = this.tryDeclaration();
          if (!decl) this.fail("'(' expected", this.t);
          this.expect(';');
          return this.n({ kind: 'Using', resource: decl, body: null, span: this.span(start) });
        }
        case 'const': {
          this.pos++;
          const decl = this.tryDeclaration();
          if (!decl || decl.kind !== 'VarDecl') this.fail('Type expected', this.t);
          this.expect(';');
          return { ...decl, isConst: true };
        }
        case 'goto': case 'lock': case 'fixed': case 'unsafe':
          this.fail(`'${t.value}' statements are not supported in policy expressions`, t, 'E_UNSUPPORTED');
          break;
        case 'checked': case 'unchecked':
          // int arithmetic already wraps (unchecked); `checked` overflow detection is not modelled
          if (this.is('{', this.peek())) {
            this.pos++;
            return this.block();
          }
          break;
        case 'else':
          this.fail("Invalid expression term 'else'", this.t);
          break;
        default:
          break;
      }
    }
    // local function: Type Name ( … ) { … } | => expr ;
    const fn = this.tryLocalFunction();
    if (fn) return fn;
    const decl = this.tryDeclaration();
    if (decl) {
      this.expect(';');
      return decl;
    }
    const expr = this.expr();
    if (!this.is(';')) this.fail(this.atEof() || this.is('}') ? "';' expected" : `Unexpected ${this.describe(this.t)}: ';' expected`, this.t);
    this.pos++;
    return this.n({ kind: 'ExprStmt', expr, span: this.span(start) });
  }

  private tryLocalFunction(): Stmt | null {
    const save = this.pos;
    const start = this.t.start;
    let returnType: TypeRef | null = null;
    if (!(this.t.kind === 'ident' || (this.t.kind === 'keyword' && PREDEFINED.has(this.t.value)))) return null;
    returnType = this.tryType();
    if (!returnType || this.t.kind !== 'ident' || !this.is('(', this.peek())) {
      this.pos = save;
      return null;
    }
    const name = this.ident().value;
    const params = this.paramList();
    if (!params || !(this.is('{') || this.is('=>'))) {
      this.pos = save;
      return null;
    }
    let body: Block | Expr;
    if (this.eat('=>')) {
      body = this.expr();
      this.expect(';');
    } else body = this.block();
    return this.n({ kind: 'LocalFunction', name, returnType: returnType.name === 'void' ? null : returnType, params, body, span: this.span(start) });
  }

  /** `(T a, U b)` or `(a, b)`; null if the tokens are not a parameter list. */
  private paramList(): { name: string; type: TypeRef | null }[] | null {
    if (!this.eat('(')) return null;
    const params: { name: string; type: TypeRef | null }[] = [];
    if (this.eat(')')) return params;
    for (;;) {
      if (this.t.kind === 'ident' && (this.is(',', this.peek()) || this.is(')', this.peek()))) {
        params.push({ name: this.t.value, type: null });
        this.pos++;
      } else {
        const type = this.tryType();
        if (!type || this.t.kind !== 'ident') return null;
        params.push({ name: this.t.value, type });
        this.pos++;
      }
      if (this.eat(',')) continue;
      if (this.eat(')')) return params;
      return null;
    }
  }

  /** `var x = …`, `string a, b = …`, `byte[] k = { … }` — null (cursor restored) if not a declaration. */
  private tryDeclaration(): Stmt | null {
    const save = this.pos;
    const start = this.t.start;
    let type: TypeRef | null;
    if (this.isIdent(this.t, 'var') && this.peek().kind === 'ident') {
      this.pos++;
      type = null;
    } else {
      if (!(this.t.kind === 'ident' || (this.t.kind === 'keyword' && PREDEFINED.has(this.t.value)))) return null;
      type = this.tryType();
      if (!type) return null;
    }
    if (this.t.kind !== 'ident' || !(this.is('=', this.peek()) || this.is(';', this.peek()) || this.is(',', this.peek()) || this.is(')', this.peek()) || this.is('in', this.peek()))) {
      this.pos = save;
      return null;
    }
    const decls: VarDeclarator[] = [];
    do {
      const ds = this.t.start;
      const name = this.ident().value;
      let init: Expr | null = null;
      if (this.eat('=')) init = this.is('{') ? this.arrayInit() : this.expr();
      decls.push({ name, init, span: this.span(ds) });
    } while (this.eat(','));
    return this.n({ kind: 'VarDecl', type, decls, isConst: false, span: this.span(start) });
  }

  private arrayInit(): Expr {
    const start = this.t.start;
    this.expect('{');
    const items: Expr[] = [];
    while (!this.is('}')) {
      items.push(this.is('{') ? this.arrayInit() : this.expr());
      if (!this.eat(',')) break;
    }
    this.expect('}');
    return this.n({ kind: 'ArrayInit', items, span: this.span(start) });
  }

  // ------------------------------------------------------------------ expressions
  expr(minBp = 0): Expr {
    this.enter();
    const start = this.t.start;
    let left = this.prefix();
    for (;;) {
      const t = this.t;
      if (t.kind === 'keyword' && t.value === 'switch' && this.is('{', this.peek())) {
        this.fail('switch expressions (C# 8) are not available in policy expressions (C# 7); use a switch statement in @{ }', t, 'E_UNSUPPORTED');
      }
      if (t.kind !== 'punct' && !(t.kind === 'keyword' && (t.value === 'is' || t.value === 'as'))) break;
      const op = t.value;
      // assignment (right-associative, lowest)
      if (ASSIGN_OPS.has(op) || (op === '>' && this.is('>=', this.peek()) && this.peek().start === t.end)) {
        if (minBp > 1) break;
        let aop = op as AssignOp;
        if (op === '>') {
          aop = '>>=';
          this.pos++;
        }
        this.pos++;
        const value = this.expr(1);
        left = this.n({ kind: 'Assign', op: aop, target: left, value, span: this.span(start) });
        continue;
      }
      if (op === '?' && !this.is('[', this.peek())) {
        if (minBp > 2) break;
        this.pos++;
        const then = this.expr(1);
        this.expect(':');
        const otherwise = this.expr(2);
        left = this.n({ kind: 'Conditional', test: left, then, otherwise, span: this.span(start) });
        continue;
      }
      if (op === 'is' || op === 'as') {
        if (minBp > 10) break;
        this.pos++;
        if (op === 'as') {
          const type = this.type();
          left = this.n({ kind: 'As', operand: left, type, span: this.span(start) });
          continue;
        }
        let negated = false;
        if (this.isIdent(this.t, 'not')) {
          negated = true;
          this.pos++;
        }
        if (this.is('null') || this.t.kind === 'string' || this.t.kind === 'number' || this.t.kind === 'char' || this.is('true') || this.is('false')) {
          const pattern = this.prefix();
          left = this.n({ kind: 'Is', operand: left, type: null, pattern, negated, span: this.span(start) });
          continue;
        }
        const type = this.type();
        let declare: string | undefined;
        if (this.t.kind === 'ident' && !negated) declare = this.ident().value;
        left = this.n({ kind: 'Is', operand: left, type, declare, negated, span: this.span(start) });
        continue;
      }
      // `>>` arrives as two adjacent `>` tokens (so `List<List<int>>` lexes).
      let bop = op;
      if (op === '>' && this.is('>', this.peek()) && this.peek().start === t.end) bop = '>>';
      const bp = BINARY_BP[bop];
      if (bp !== undefined) {
        const rightAssoc = bop === '??';
        // left-associative operators parse their right side at bp + 1, so an equal bp ends that side
        if (bp < minBp) break;
        this.pos += bop === '>>' && op === '>' ? 2 : 1;
        const right = this.expr(rightAssoc ? bp : bp + 1);
        left = this.n({ kind: 'Binary', op: bop as BinaryOp, left, right, span: this.span(start) });
        continue;
      }
      break;
    }
    this.leave();
    return left;
  }

  /** nud + postfix chain. */
  private prefix(): Expr {
    const start = this.t.start;
    const t = this.t;
    if (t.kind === 'punct') {
      switch (t.value) {
        case '!': case '-': case '+': case '~': case '++': case '--': {
          this.pos++;
          const operand = this.expr(PREFIX_BP);
          // fold negative numeric literals so `-2147483648` is an int
          if (t.value === '-' && operand.kind === 'Literal' && typeof operand.value === 'string' && ['int', 'uint', 'long', 'ulong', 'double', 'float', 'decimal'].includes(operand.type) && operand.span.start === t.end) {
            return this.postfix(this.n({ kind: 'Unary', op: '-', operand, span: this.span(start) }), start);
          }
          return this.n({ kind: 'Unary', op: t.value, operand, span: this.span(start) });
        }
        case '(':
          return this.postfix(this.parenOrCastOrLambda(), start);
        default:
          break;
      }
    }
    return this.postfix(this.primary(), start);
  }

  private parenOrCastOrLambda(): Expr {
    const start = this.t.start;
    // lambda: ( params ) =>
    const save = this.pos;
    const params = this.paramList();
    if (params && this.is('=>')) {
      this.pos++;
      return this.lambdaBody(params, start);
    }
    this.pos = save + 1;
    // cast: ( Type ) operand
    const type = this.tryType();
    if (type && this.is(')')) {
      const next = this.peek();
      const predefined = PREDEFINED.has(type.name) && type.args.length === 0;
      const castLike = predefined ? this.startsExpression(next) : next.kind === 'ident' || next.kind === 'number' || next.kind === 'string' || next.kind === 'char' || next.kind === 'interp' || (next.kind === 'keyword' && !['is', 'as', 'in'].includes(next.value) && this.startsExpression(next)) || this.is('(', next) || this.is('!', next) || this.is('~', next);
      if (castLike) {
        this.pos++;
        const operand = this.expr(PREFIX_BP);
        return this.n({ kind: 'Cast', type, operand, span: this.span(start) });
      }
    }
    this.pos = save + 1;
    const inner = this.expr();
    this.expect(')');
    // Parentheses are not kept as a node; widen the span so printing/positions cover them.
    return { ...inner, span: { start, end: this.span(start).end }, ...(inner.kind === 'Binary' || inner.kind === 'Conditional' || inner.kind === 'Assign' || inner.kind === 'Lambda' || inner.kind === 'Is' || inner.kind === 'As' ? {} : {}) };
  }

  private lambdaBody(params: { name: string; type: TypeRef | null }[], start: number): Expr {
    const body = this.is('{') ? this.block() : this.expr(1);
    return this.n({ kind: 'Lambda', params, body, span: this.span(start) });
  }

  private primary(): Expr {
    const t = this.t;
    const start = t.start;
    switch (t.kind) {
      case 'number':
        this.pos++;
        return this.n({ kind: 'Literal', type: t.numType as LiteralType, value: t.value, span: this.span(start) });
      case 'string':
        this.pos++;
        return this.n({ kind: 'Literal', type: 'string', value: t.value, span: this.span(start) });
      case 'char':
        this.pos++;
        return this.n({ kind: 'Literal', type: 'char', value: t.value, span: this.span(start) });
      case 'interp': {
        this.pos++;
        const parts = (t.holes ?? []).map((h) => {
          const sub = new Parser(this.src, this.at, this.limits);
          sub.nodes = this.nodes;
          sub.depth = this.depth;
          const expr = sub.subExpr(h.start, h.end);
          const align = h.align ? sub.subExpr(h.align.start, h.align.end) : undefined;
          this.nodes = sub.nodes;
          return { expr, ...(align ? { align } : {}), ...(h.format !== undefined ? { format: h.format } : {}) };
        });
        return this.n({ kind: 'Interpolated', chunks: t.chunks ?? [''], parts, span: this.span(start) });
      }
      case 'ident': {
        if (t.value === 'from' && this.peek().kind === 'ident' && this.is('in', this.peek(2))) {
          this.fail('LINQ query syntax is not supported in policy expressions; use method syntax (.Where(x => …).Select(x => …))', t, 'E_UNSUPPORTED');
        }
        if ((t.value === 'await' || t.value === 'nameof') && this.is('(', this.peek()) === (t.value === 'nameof')) {
          this.fail(`'${t.value}' is not supported in policy expressions`, t, 'E_UNSUPPORTED');
        }
        this.pos++;
        if (this.is('=>')) {
          this.pos++;
          return this.lambdaBody([{ name: t.value, type: null }], start);
        }
        if (this.is('<')) {
          const save = this.pos;
          const args = this.typeArgs();
          if (args && (this.is('(') || this.is('.'))) return this.n({ kind: 'GenericName', name: t.value, typeArgs: args, span: this.span(start) });
          this.pos = save;
        }
        return this.n({ kind: 'Name', name: t.value, span: this.span(start) });
      }
      case 'keyword':
        switch (t.value) {
          case 'true': case 'false':
            this.pos++;
            return this.n({ kind: 'Literal', type: 'bool', value: t.value === 'true', span: this.span(start) });
          case 'null':
            this.pos++;
            return this.n({ kind: 'Literal', type: 'null', value: null, span: this.span(start) });
          case 'new':
            return this.newExpr();
          case 'checked': case 'unchecked': {
            // `unchecked(expr)`: the evaluator's int arithmetic wraps already
            this.pos++;
            this.expect('(');
            const inner = this.expr();
            this.expect(')');
            return { ...inner, span: this.span(start) };
          }
          case 'typeof': {
            this.pos++;
            this.expect('(');
            const type = this.type();
            this.expect(')');
            return this.n({ kind: 'TypeOf', type, span: this.span(start) });
          }
          case 'default': {
            this.pos++;
            let type: TypeRef | null = null;
            if (this.eat('(')) {
              type = this.type();
              this.expect(')');
            }
            return this.n({ kind: 'Default', type, span: this.span(start) });
          }
          default:
            if (PREDEFINED.has(t.value)) {
              this.pos++;
              return this.n({ kind: 'PredefinedType', name: t.value, span: this.span(start) });
            }
            this.fail(`Invalid expression term '${t.value}'`, t);
        }
      // falls through (unreachable: fail throws)
      case 'eof':
        return this.fail('Expression expected', t);
      default:
        return this.fail(`Invalid expression term ${this.describe(t)}`, t);
    }
  }

  /** Parses a hole of an interpolated string: `source[start, end)` must be exactly one expression. */
  subExpr(start: number, end: number): Expr {
    this.toks = lex(this.src, this.at, start, end);
    this.pos = 0;
    if (this.atEof()) this.fail('Expression expected', this.t);
    const e = this.expr();
    if (this.t.kind !== 'eof') this.fail(`Unexpected ${this.describe(this.t)} in interpolation hole`, this.t);
    return e;
  }

  private newExpr(): Expr {
    const start = this.t.start;
    this.expect('new');
    // new[] { … }
    if (this.is('[')) {
      this.pos++;
      this.expect(']');
      const init = this.collectionItems();
      return this.n({ kind: 'NewArray', type: null, sizes: [], init, span: this.span(start) });
    }
    // new { a = 1 }
    if (this.is('{')) {
      this.pos++;
      const members: { name: string; value: Expr }[] = [];
      while (!this.is('}')) {
        if (this.t.kind === 'ident' && this.is('=', this.peek())) {
          const name = this.ident().value;
          this.pos++;
          members.push({ name, value: this.expr(1) });
        } else {
          const value = this.expr(1);
          const name = value.kind === 'Member' ? value.name : value.kind === 'Name' ? value.name : this.fail('Invalid anonymous type member declarator', value.span);
          members.push({ name, value });
        }
        if (!this.eat(',')) break;
      }
      this.expect('}');
      return this.n({ kind: 'NewAnonymous', members, span: this.span(start) });
    }
    const type = this.tryType(false, true);
    if (!type) this.fail('Type expected', this.t);
    if (this.is('[')) {
      this.pos++;
      const sizes: Expr[] = [];
      if (!this.is(']')) {
        do sizes.push(this.expr());
        while (this.eat(','));
      }
      this.expect(']');
      let rank = 1;
      while (this.is('[') && this.is(']', this.peek())) {
        this.pos += 2;
        rank++;
      }
      const init = this.is('{') ? this.collectionItems() : null;
      if (sizes.length === 0 && !init) this.fail('Array creation must have array size or array initializer', this.t);
      const elem: TypeRef = { ...type, rank: rank - 1 };
      return this.n({ kind: 'NewArray', type: elem, sizes, init, span: this.span(start) });
    }
    let args: Argument[] = [];
    let hasArgs = false;
    if (this.is('(')) {
      args = this.argList();
      hasArgs = true;
    }
    let init: Initializer | null = null;
    if (this.is('{')) init = this.initializer();
    if (!hasArgs && !init) this.fail("'(' expected", this.t);
    return this.n({ kind: 'New', type, args, init, span: this.span(start) });
  }

  private collectionItems(): Expr[] {
    this.expect('{');
    const items: Expr[] = [];
    while (!this.is('}')) {
      items.push(this.is('{') ? this.arrayInit() : this.expr(1));
      if (!this.eat(',')) break;
    }
    this.expect('}');
    return items;
  }

  private initializer(): Initializer {
    this.expect('{');
    if (this.is('}')) {
      this.pos++;
      return { kind: 'Collection', items: [] };
    }
    if (this.t.kind === 'ident' && this.is('=', this.peek())) {
      const members: { name: string; value: Expr }[] = [];
      while (!this.is('}')) {
        const name = this.ident().value;
        this.expect('=');
        members.push({ name, value: this.is('{') ? this.arrayInit() : this.expr(1) });
        if (!this.eat(',')) break;
      }
      this.expect('}');
      return { kind: 'Object', members };
    }
    const items: Expr[][] = [];
    while (!this.is('}')) {
      if (this.is('{')) {
        this.pos++;
        const group: Expr[] = [];
        while (!this.is('}')) {
          group.push(this.expr(1));
          if (!this.eat(',')) break;
        }
        this.expect('}');
        items.push(group);
      } else items.push([this.expr(1)]);
      if (!this.eat(',')) break;
    }
    this.expect('}');
    return { kind: 'Collection', items };
  }

  private argList(): Argument[] {
    this.expect('(');
    const args: Argument[] = [];
    if (this.eat(')')) return args;
    for (;;) {
      const arg: Argument = { value: undefined as unknown as Expr };
      if (this.t.kind === 'ident' && this.is(':', this.peek())) {
        arg.name = this.t.value;
        this.pos += 2;
      }
      if (this.is('out') || this.is('ref') || this.is('in')) {
        arg.modifier = this.t.value as 'out' | 'ref' | 'in';
        this.pos++;
        if (arg.modifier === 'out') {
          const s = this.t.start;
          if (this.isIdent(this.t, 'var') && this.peek().kind === 'ident') {
            this.pos++;
            const name = this.ident();
            arg.declare = { type: null, name: name.value };
            arg.value = this.n({ kind: 'Name', name: name.value, span: { start: name.start, end: name.end } });
          } else {
            const save = this.pos;
            const type = this.tryType();
            if (type && this.t.kind === 'ident') {
              const name = this.ident();
              arg.declare = { type, name: name.value };
              arg.value = this.n({ kind: 'Name', name: name.value, span: { start: name.start, end: name.end } });
            } else this.pos = save;
          }
          void s;
        }
      }
      if (!arg.value) arg.value = this.expr();
      args.push(arg);
      if (this.eat(',')) continue;
      if (this.is(')')) {
        this.pos++;
        return args;
      }
      this.fail(this.atEof() ? "')' expected" : `Unexpected ${this.describe(this.t)}: ',' or ')' expected`, this.t);
    }
  }

  private postfix(expr: Expr, start: number): Expr {
    for (;;) {
      const t = this.t;
      if (t.kind !== 'punct') return expr;
      if (t.value === '.' || t.value === '?.') {
        this.pos++;
        const nameTok = this.t.kind === 'keyword' && PREDEFINED.has(this.t.value) ? this.toks[this.pos++]! : this.ident();
        expr = this.n({ kind: 'Member', object: expr, name: nameTok.value, nullConditional: t.value === '?.', span: this.span(start) });
        if (this.is('<')) {
          const save = this.pos;
          const typeArgs = this.typeArgs();
          if (typeArgs && this.is('(')) {
            const args = this.argList();
            expr = this.n({ kind: 'Call', callee: expr, typeArgs, args, span: this.span(start) });
            continue;
          }
          this.pos = save;
        }
        continue;
      }
      if (t.value === '?' && this.is('[', this.peek())) {
        this.pos += 2;
        const args = this.indexArgs();
        expr = this.n({ kind: 'Index', object: expr, args, nullConditional: true, span: this.span(start) });
        continue;
      }
      if (t.value === '[') {
        this.pos++;
        const args = this.indexArgs();
        expr = this.n({ kind: 'Index', object: expr, args, nullConditional: false, span: this.span(start) });
        continue;
      }
      if (t.value === '(') {
        const args = this.argList();
        if (expr.kind === 'GenericName') {
          const callee: Expr = { kind: 'Name', name: expr.name, span: expr.span };
          expr = this.n({ kind: 'Call', callee, typeArgs: expr.typeArgs, args, span: this.span(start) });
        } else expr = this.n({ kind: 'Call', callee: expr, typeArgs: [], args, span: this.span(start) });
        continue;
      }
      if (t.value === '++' || t.value === '--') {
        this.pos++;
        expr = this.n({ kind: 'Postfix', op: t.value, operand: expr, span: this.span(start) });
        continue;
      }
      return expr;
    }
  }

  private indexArgs(): Expr[] {
    const args: Expr[] = [];
    do args.push(this.expr());
    while (this.eat(','));
    this.expect(']');
    return args;
  }
}
