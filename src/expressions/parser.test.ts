import { describe, expect, it } from 'vitest';
import type { Expr } from './ast.js';
import { ExpressionError } from './errors.js';
import { parseProgram } from './parser.js';
import { printExpr } from './print.js';

function expr(src: string): Expr {
  const p = parseProgram(`@(${src})`);
  if (p.kind !== 'Expression') throw new Error('not an expression');
  return p.expr;
}
/** Fully parenthesised print: shows how the parser grouped things. */
const group = (src: string) => printExpr(expr(src));
function parseError(src: string, at = {}): ExpressionError {
  try {
    parseProgram(src, at);
  } catch (e) {
    if (e instanceof ExpressionError) return e;
    throw e;
  }
  throw new Error(`expected a parse error for ${src}`);
}

describe('lexer', () => {
  it('string, verbatim, interpolated and char literals', () => {
    expect(expr('"a\\tb\\u0041\\\\"')).toMatchObject({ kind: 'Literal', type: 'string', value: 'a\tbA\\' });
    expect(expr('@"C:\\path ""q"""')).toMatchObject({ kind: 'Literal', value: 'C:\\path "q"' });
    expect(expr("'\\''")).toMatchObject({ kind: 'Literal', type: 'char', value: "'" });
    const i = expr('$"a{x}b{{c}}{y:yyyy-MM}{z,5}"');
    expect(i).toMatchObject({ kind: 'Interpolated', chunks: ['a', 'b{c}', '', ''] });
    expect(i.kind === 'Interpolated' && i.parts.map((p) => p.format)).toEqual([undefined, 'yyyy-MM', undefined]);
  });
  it('interpolation holes may contain strings, ternaries in parens, nested interpolation and {{named values}} text', () => {
    expect(group('$"{(a ? "x}" : $"{b}")}!"')).toBe('$"{(a ? "x}" : $"{(b)}")}!"');
    expect(expr('$"https://login.microsoftonline.com/{{TenantId}}/oauth2"')).toMatchObject({ chunks: ['https://login.microsoftonline.com/{TenantId}/oauth2'] });
  });
  it('numbers with suffixes pick the C# type', () => {
    expect(expr('1')).toMatchObject({ type: 'int' });
    expect(expr('3000000000')).toMatchObject({ type: 'uint' });
    expect(expr('5000000000')).toMatchObject({ type: 'long' });
    expect(expr('5L')).toMatchObject({ type: 'long' });
    expect(expr('1.5')).toMatchObject({ type: 'double' });
    expect(expr('1.5f')).toMatchObject({ type: 'float' });
    expect(expr('2m')).toMatchObject({ type: 'decimal' });
    expect(expr('0xFF')).toMatchObject({ type: 'int', value: '255' });
    expect(expr('1_000')).toMatchObject({ value: '1000' });
  });
  it('comments are skipped', () => {
    expect(group('1 /* two */ + // three\n 2')).toBe('1 + 2');
  });
});

describe('parser: precedence and disambiguation', () => {
  it('C# precedence and associativity', () => {
    expect(group('a || b && c | d ^ e & f == g < h << i + j * k')).toBe('a || (b && (c | (d ^ (e & (f == (g < (h << (i + (j * k)))))))))');
    expect(group('a - b - c')).toBe('(a - b) - c');
    expect(group('a ?? b ?? c')).toBe('a ?? (b ?? c)');
    expect(group('a ? b : c ? d : e')).toBe('a ? b : (c ? d : e)');
    expect(group('!a == b')).toBe('(!a) == b');
    expect(group('x = y = 1')).toBe('x = (y = 1)');
  });
  it('casts versus parenthesised expressions', () => {
    expect(expr('(string)context.Variables["x"]')).toMatchObject({ kind: 'Cast', type: { name: 'string' } });
    expect(expr('(JObject)x')).toMatchObject({ kind: 'Cast', type: { name: 'JObject' } });
    expect(expr('(int)-1')).toMatchObject({ kind: 'Cast' });
    expect(expr('(a) - 1')).toMatchObject({ kind: 'Binary', op: '-' });
    expect(expr('(a)')).toMatchObject({ kind: 'Name', name: 'a' });
    expect(expr('(byte[])x')).toMatchObject({ kind: 'Cast', type: { name: 'byte', rank: 1 } });
    expect(expr('(int?)x')).toMatchObject({ kind: 'Cast', type: { nullable: true } });
  });
  it('generic calls versus less-than', () => {
    expect(expr('context.Variables.GetValueOrDefault<string>("x")')).toMatchObject({ kind: 'Call', typeArgs: [{ name: 'string' }] });
    expect(expr('b.As<Dictionary<string, List<int>>>()')).toMatchObject({ kind: 'Call', typeArgs: [{ name: 'Dictionary', args: [{ name: 'string' }, { name: 'List' }] }] });
    expect(group('a < b > c')).toBe('(a < b) > c');
    expect(group('i < n && j > 0')).toBe('(i < n) && (j > 0)');
    expect(group('x >> 2')).toBe('x >> 2');
  });
  it('lambdas, null-conditionals, named and out arguments, object creation', () => {
    expect(expr('xs.Where(x => x > 1)')).toMatchObject({ kind: 'Call', args: [{ value: { kind: 'Lambda', params: [{ name: 'x' }] } }] });
    expect(expr('xs.Select((a, i) => a)')).toMatchObject({ args: [{ value: { kind: 'Lambda', params: [{ name: 'a' }, { name: 'i' }] } }] });
    expect(expr('a?.b?[0]')).toMatchObject({ kind: 'Index', nullConditional: true, object: { kind: 'Member', nullConditional: true } });
    expect(expr('b.As<JObject>(preserveContent: true)')).toMatchObject({ args: [{ name: 'preserveContent' }] });
    expect(expr('h.TryGetValue("a", out var v)')).toMatchObject({ args: [{}, { modifier: 'out', declare: { name: 'v', type: null } }] });
    expect(expr('new JObject(new JProperty("a", 1))')).toMatchObject({ kind: 'New', type: { name: 'JObject' } });
    expect(expr('new byte[16]')).toMatchObject({ kind: 'NewArray', sizes: [{ value: '16' }] });
    expect(expr('new[] { 1, 2 }')).toMatchObject({ kind: 'NewArray', type: null });
    expect(expr('new { a = 1, b }')).toMatchObject({ kind: 'NewAnonymous', members: [{ name: 'a' }, { name: 'b' }] });
    expect(expr('new Dictionary<string, string> { { "a", "b" } }')).toMatchObject({ init: { kind: 'Collection' } });
  });
  it('every node carries a span into the source', () => {
    const e = expr('context.Request.Method == "POST"');
    expect(e.span).toEqual({ start: 2, end: 34 });
    expect(e.kind === 'Binary' && e.right.span).toEqual({ start: 28, end: 34 });
  });
});

describe('parser: statement blocks', () => {
  it('parses declarations, control flow, try/catch, switch, local functions', () => {
    const p = parseProgram('@{ var a = 1; string[] b = { "x" }; if (a > 0) { a++; } else a--; foreach (var x in b) { continue; } switch (a) { case 1: case 2: break; default: break; } try { throw new Exception("e"); } catch (Exception e) when (a > 0) { } finally { } int F(int n) => n; return a; }');
    expect(p.kind === 'Statements' && p.body.body.map((s) => s.kind)).toEqual(['VarDecl', 'VarDecl', 'If', 'Foreach', 'Switch', 'Try', 'LocalFunction', 'Return']);
  });
});

describe('constructs outside C# 7 / the APIM subset are E_UNSUPPORTED', () => {
  it('switch expressions, LINQ query syntax, nameof, goto', () => {
    expect(parseError('@(x switch { 1 => "a", _ => "b" })').exprCode).toBe('E_UNSUPPORTED');
    expect(parseError('@(from h in context.Request.Headers select h.Key)').detail).toMatch(/LINQ query syntax/);
    expect(parseError('@(nameof(x))').exprCode).toBe('E_UNSUPPORTED');
    expect(parseError('@{ goto end; }').exprCode).toBe('E_UNSUPPORTED');
  });
});

describe('argument counts', () => {
  it('a listed member called with an impossible argument count is CS1501 at load', async () => {
    const { compileExpression } = await import('./index.js');
    expect(() => compileExpression('@(string.IsNullOrEmpty())')).toThrow(/No overload for method 'IsNullOrEmpty' takes 0 arguments/);
    expect(() => compileExpression('@("a".Substring(1, 2, 3))')).toThrow(/No overload for method 'Substring' takes 3 arguments/);
    expect(() => compileExpression('@(context.Variables.ContainsKey("a", "b"))')).toThrow(/takes 2 arguments/);
    expect(() => compileExpression('@(string.Join(",", "a", "b", "c"))')).not.toThrow();
  });
});

describe('parse errors point at the offending token', () => {
  it('reports file:line:column of the token inside the policy file, with a caret', () => {
    const e = parseError('@(context.Request.Method == "POST"', { file: 'apis/x/policy.xml', line: 12, column: 30 });
    expect(e.exprCode).toBe('E_PARSE');
    expect(e.message).toBe(`apis/x/policy.xml:12:64: ')' expected`);
    expect(e.format()).toBe(`apis/x/policy.xml:12:64: ')' expected\n  @(context.Request.Method == "POST"\n  ${' '.repeat(34)}^`);
    expect(e.code).toBe('E_EXPRESSION');
    expect(e.diagnostics[0]).toMatchObject({ file: 'apis/x/policy.xml', line: 12, column: 64 });
  });
  it('multi-line blocks map to the right line', () => {
    const e = parseError('@{\n  var x = 1;\n  return x +;\n}', { file: 'p.xml', line: 5, column: 9 });
    expect(`${e.line}:${e.column}`).toBe('7:13');
    expect(e.format().split('\n')[1]).toBe('    return x +;');
  });
  it('the round-trip corruption `"a="""` is a clean error', () => {
    expect(parseError('@(context.Variables.ContainsKey("latlong=""")').detail).toMatch(/expected/);
  });
  it('unterminated literals and stray characters', () => {
    expect(parseError('@("abc)').detail).toBe('Newline in constant');
    expect(parseError("@('')").detail).toBe('Empty character literal');
    expect(parseError('@(a # b)').detail).toBe("Unexpected character '#'");
    expect(parseError('@()').detail).toBe("Invalid expression term ')'");
  });
});

describe('diagnoseExpression (for lint)', () => {
  it('returns the error or the warnings as positioned diagnostics', async () => {
    const { diagnoseExpression } = await import('./index.js');
    expect(diagnoseExpression('@(context.Request.Method == "POST")')).toEqual([]);
    expect(diagnoseExpression('@(context.Request.Nope)', { file: 'p.xml', line: 2, column: 5 })).toEqual([
      { file: 'p.xml', line: 2, column: 23, message: "'IRequest' does not contain a definition for 'Nope'", severity: 'error', code: 'E_UNSUPPORTED' },
    ]);
    expect(diagnoseExpression('@(context.Variables["a"] == "b")')[0]).toMatchObject({ severity: 'warn', code: 'CS0252' });
  });
});
