/**
 * Prints an AST back to C#. The output reparses to the same tree (spans aside) — the property test in
 * `expressions.property.test.ts` checks that. Sub-expressions that are not primary are parenthesised, so
 * printing never depends on the precedence table.
 */
import type { Argument, Block, Expr, Initializer, Program, Stmt, TypeRef } from './ast.js';

/** `@( … )` or `@{ … }` text for a program. */
export function printProgram(p: Program): string {
  return p.kind === 'Expression' ? `@(${printExpr(p.expr)})` : `@{ ${p.body.body.map(printStmt).join(' ')} }`;
}

export function printType(t: TypeRef): string {
  return t.name + (t.args.length ? `<${t.args.map(printType).join(', ')}>` : '') + (t.nullable ? '?' : '') + '[]'.repeat(t.rank);
}

const ESC: Record<string, string> = { '"': '\\"', '\\': '\\\\', '\n': '\\n', '\r': '\\r', '\t': '\\t', '\0': '\\0', '\b': '\\b', '\f': '\\f', '\v': '\\v', '\x07': '\\a' };
function escapeChars(s: string, quote: string): string {
  let out = '';
  for (const c of s) {
    const code = c.charCodeAt(0);
    if (c === quote || c === '\\' || ESC[c] !== undefined && c !== '"' && c !== "'") out += c === quote ? `\\${quote}` : ESC[c]!;
    else if (code < 0x20 || (code >= 0x7f && code <= 0x9f) || code === 0x2028 || code === 0x2029 || code === 0x85) out += '\\u' + code.toString(16).padStart(4, '0');
    else if (c.length === 2) out += '\\U' + c.codePointAt(0)!.toString(16).padStart(8, '0');
    else if (code >= 0xd800 && code <= 0xdfff) out += '\\u' + code.toString(16).padStart(4, '0');
    else out += c;
  }
  return out;
}

const PRIMARY = new Set(['Literal', 'Name', 'Member', 'Index', 'Call', 'Interpolated', 'New', 'NewArray', 'NewAnonymous', 'TypeOf', 'Default', 'PredefinedType', 'GenericName', 'Postfix']);

/** Parenthesises a sub-expression unless it is primary. */
function sub(e: Expr): string {
  const s = printExpr(e);
  if (PRIMARY.has(e.kind) && !(e.kind === 'Literal' && /^-/.test(s))) return s;
  return `(${s})`;
}

function printArgs(args: Argument[]): string {
  return args
    .map((a) => {
      const name = a.name ? `${a.name}: ` : '';
      const mod = a.modifier ? `${a.modifier} ` : '';
      if (a.declare) return `${name}${mod}${a.declare.type ? printType(a.declare.type) : 'var'} ${a.declare.name}`;
      return `${name}${mod}${a.modifier ? sub(a.value) : printExpr(a.value)}`;
    })
    .join(', ');
}

function printLiteral(e: Extract<Expr, { kind: 'Literal' }>): string {
  switch (e.type) {
    case 'null': return 'null';
    case 'bool': return e.value ? 'true' : 'false';
    case 'string': return `"${escapeChars(String(e.value), '"')}"`;
    case 'char': return `'${escapeChars(String(e.value), "'")}'`;
    case 'int': return String(e.value);
    case 'uint': return `${e.value}U`;
    case 'long': return `${e.value}L`;
    case 'ulong': return `${e.value}UL`;
    case 'float': return `${e.value}F`;
    case 'decimal': return `${e.value}M`;
    case 'double': return /[.eE]/.test(String(e.value)) ? String(e.value) : `${e.value}D`;
  }
}

function printInit(init: Initializer): string {
  if (init.kind === 'Object') return `{ ${init.members.map((m) => `${m.name} = ${printExpr(m.value)}`).join(', ')} }`;
  return `{ ${init.items.map((g) => (g.length === 1 ? printExpr(g[0]!) : `{ ${g.map(printExpr).join(', ')} }`)).join(', ')} }`;
}

export function printExpr(e: Expr): string {
  switch (e.kind) {
    case 'Literal': return printLiteral(e);
    case 'Interpolated': {
      let out = '$"';
      e.chunks.forEach((c, i) => {
        out += escapeChars(c, '"').replace(/\{/g, '{{').replace(/\}/g, '}}');
        const p = e.parts[i];
        if (p) out += `{(${printExpr(p.expr)})${p.align ? `,${printExpr(p.align)}` : ''}${p.format !== undefined ? `:${p.format}` : ''}}`;
      });
      return out + '"';
    }
    case 'Name': return e.name;
    case 'PredefinedType': return e.name;
    case 'GenericName': return `${e.name}<${e.typeArgs.map(printType).join(', ')}>`;
    case 'Member': return `${sub(e.object)}${e.nullConditional ? '?.' : '.'}${e.name}`;
    case 'Index': return `${sub(e.object)}${e.nullConditional ? '?[' : '['}${e.args.map((a) => printExpr(a)).join(', ')}]`;
    case 'Call': {
      const ta = e.typeArgs.length ? `<${e.typeArgs.map(printType).join(', ')}>` : '';
      return `${sub(e.callee)}${ta}(${printArgs(e.args)})`;
    }
    case 'Unary': return `${e.op}${e.op === '-' || e.op === '+' ? ' ' : ''}${sub(e.operand)}`;
    case 'Postfix': return `${sub(e.operand)}${e.op}`;
    case 'Binary': return `${sub(e.left)} ${e.op} ${sub(e.right)}`;
    case 'Conditional': return `${sub(e.test)} ? ${sub(e.then)} : ${sub(e.otherwise)}`;
    case 'Assign': return `${sub(e.target)} ${e.op} ${sub(e.value)}`;
    case 'Cast': return `(${printType(e.type)})${sub(e.operand)}`;
    case 'Is': {
      const not = e.negated ? 'not ' : '';
      if (e.pattern) return `${sub(e.operand)} is ${not}${printExpr(e.pattern)}`;
      return `${sub(e.operand)} is ${not}${printType(e.type!)}${e.declare ? ` ${e.declare}` : ''}`;
    }
    case 'As': return `${sub(e.operand)} as ${printType(e.type)}`;
    case 'Lambda': {
      const params = e.params.length === 1 && !e.params[0]!.type ? e.params[0]!.name : `(${e.params.map((p) => (p.type ? `${printType(p.type)} ${p.name}` : p.name)).join(', ')})`;
      return `${params} => ${'kind' in e.body && e.body.kind === 'Block' ? printBlock(e.body) : sub(e.body as Expr)}`;
    }
    case 'New': return `new ${printType(e.type)}(${printArgs(e.args)})${e.init ? ` ${printInit(e.init)}` : ''}`;
    case 'NewArray': {
      const init = e.init ? ` { ${e.init.map(printExpr).join(', ')} }` : '';
      if (!e.type) return `new[]${init}`;
      const base = { ...e.type, rank: 0 };
      return `new ${printType(base)}[${e.sizes.map(printExpr).join(', ')}]${'[]'.repeat(e.type.rank)}${init}`;
    }
    case 'NewAnonymous': return `new { ${e.members.map((m) => `${m.name} = ${printExpr(m.value)}`).join(', ')} }`;
    case 'ArrayInit': return `{ ${e.items.map(printExpr).join(', ')} }`;
    case 'TypeOf': return `typeof(${printType(e.type)})`;
    case 'Default': return e.type ? `default(${printType(e.type)})` : 'default';
  }
}

function printBlock(b: Block): string {
  return `{ ${b.body.map(printStmt).join(' ')} }`;
}

export function printStmt(s: Stmt): string {
  switch (s.kind) {
    case 'Block': return printBlock(s);
    case 'ExprStmt': return `${printExpr(s.expr)};`;
    case 'VarDecl': return `${printDecl(s)};`;
    case 'If': return `if (${printExpr(s.test)}) ${printStmt(s.then)}${s.otherwise ? ` else ${printStmt(s.otherwise)}` : ''}`;
    case 'While': return `while (${printExpr(s.test)}) ${printStmt(s.body)}`;
    case 'DoWhile': return `do ${printStmt(s.body)} while (${printExpr(s.test)});`;
    case 'For': {
      const init = s.init.map((x) => (x.kind === 'VarDecl' ? printDecl(x) : x.kind === 'ExprStmt' ? printExpr(x.expr) : '')).join(', ');
      return `for (${init}; ${s.test ? printExpr(s.test) : ''}; ${s.update.map(printExpr).join(', ')}) ${printStmt(s.body)}`;
    }
    case 'Foreach': return `foreach (${s.type ? printType(s.type) : 'var'} ${s.name} in ${printExpr(s.iterable)}) ${printStmt(s.body)}`;
    case 'Switch':
      return `switch (${printExpr(s.discriminant)}) { ${s.cases
        .map((c) => `${c.labels.map((l) => (l ? `case ${printExpr(l)}:` : 'default:')).join(' ')} ${c.body.map(printStmt).join(' ')}`)
        .join(' ')} }`;
    case 'Break': return 'break;';
    case 'Continue': return 'continue;';
    case 'Return': return s.value ? `return ${printExpr(s.value)};` : 'return;';
    case 'Throw': return s.value ? `throw ${printExpr(s.value)};` : 'throw;';
    case 'Try':
      return `try ${printBlock(s.block)}${s.catches
        .map((c) => ` catch${c.type ? ` (${printType(c.type)}${c.name ? ` ${c.name}` : ''})` : ''}${c.when ? ` when (${printExpr(c.when)})` : ''} ${printBlock(c.body)}`)
        .join('')}${s.finalizer ? ` finally ${printBlock(s.finalizer)}` : ''}`;
    case 'Using': {
      const r = s.resource.kind === 'VarDecl' ? printDecl(s.resource) : s.resource.kind === 'ExprStmt' ? printExpr(s.resource.expr) : '';
      return s.body ? `using (${r}) ${printStmt(s.body)}` : `using ${r};`;
    }
    case 'LocalFunction': {
      const params = s.params.map((p) => (p.type ? `${printType(p.type)} ${p.name}` : p.name)).join(', ');
      const body = 'kind' in s.body && s.body.kind === 'Block' ? printBlock(s.body) : `=> ${printExpr(s.body as Expr)};`;
      return `${s.returnType ? printType(s.returnType) : 'void'} ${s.name}(${params}) ${body}`;
    }
    case 'Empty': return ';';
  }
}

function printDecl(s: Extract<Stmt, { kind: 'VarDecl' }>): string {
  const type = s.type ? printType(s.type) : 'var';
  return `${s.isConst ? 'const ' : ''}${type} ${s.decls.map((d) => (d.init ? `${d.name} = ${printExpr(d.init)}` : d.name)).join(', ')}`;
}
