/**
 * The AST of the C# policy-expression subset. A discriminated union on `kind`; every node has a `span`
 * (offsets into the expression source). `print.ts` turns a tree back into C# that reparses to the same tree.
 */
import type { Span } from './errors.js';

/** A type reference: `string`, `Dictionary<string, int>`, `byte[]`, `int?`, `System.Text.Encoding`. */
export interface TypeRef {
  kind: 'Type';
  /** Dotted name as written (`System.Text.Encoding`, `string`). */
  name: string;
  args: TypeRef[];
  /** Number of `[]` suffixes. */
  rank: number;
  nullable: boolean;
  span: Span;
}

export type LiteralType = 'string' | 'char' | 'int' | 'uint' | 'long' | 'ulong' | 'double' | 'float' | 'decimal' | 'bool' | 'null';

export interface Argument {
  name?: string;
  /** `out`/`ref` modifier. */
  modifier?: 'out' | 'ref' | 'in';
  /** `out var x` / `out string x`: a declaration in argument position. */
  declare?: { type: TypeRef | null; name: string };
  value: Expr;
}

export interface InterpolationPart {
  expr: Expr;
  align?: Expr;
  format?: string;
}

export type Expr =
  | { kind: 'Literal'; type: LiteralType; value: string | boolean | null; span: Span }
  | { kind: 'Interpolated'; chunks: string[]; parts: InterpolationPart[]; span: Span }
  | { kind: 'Name'; name: string; span: Span }
  | { kind: 'PredefinedType'; name: string; span: Span }
  | { kind: 'Member'; object: Expr; name: string; nullConditional: boolean; span: Span }
  | { kind: 'Index'; object: Expr; args: Expr[]; nullConditional: boolean; span: Span }
  | { kind: 'Call'; callee: Expr; typeArgs: TypeRef[]; args: Argument[]; span: Span }
  | { kind: 'Unary'; op: '!' | '-' | '+' | '~' | '++' | '--'; operand: Expr; span: Span }
  | { kind: 'Postfix'; op: '++' | '--'; operand: Expr; span: Span }
  | { kind: 'Binary'; op: BinaryOp; left: Expr; right: Expr; span: Span }
  | { kind: 'Conditional'; test: Expr; then: Expr; otherwise: Expr; span: Span }
  | { kind: 'Assign'; op: AssignOp; target: Expr; value: Expr; span: Span }
  | { kind: 'Cast'; type: TypeRef; operand: Expr; span: Span }
  | { kind: 'Is'; operand: Expr; type: TypeRef | null; pattern?: Expr; declare?: string; negated?: boolean; span: Span }
  | { kind: 'As'; operand: Expr; type: TypeRef; span: Span }
  | { kind: 'Lambda'; params: { name: string; type: TypeRef | null }[]; body: Expr | Block; span: Span }
  | { kind: 'New'; type: TypeRef; args: Argument[]; init: Initializer | null; span: Span }
  | { kind: 'NewArray'; type: TypeRef | null; sizes: Expr[]; init: Expr[] | null; span: Span }
  | { kind: 'NewAnonymous'; members: { name: string; value: Expr }[]; span: Span }
  | { kind: 'ArrayInit'; items: Expr[]; span: Span }
  | { kind: 'TypeOf'; type: TypeRef; span: Span }
  | { kind: 'Default'; type: TypeRef | null; span: Span }
  | { kind: 'GenericName'; name: string; typeArgs: TypeRef[]; span: Span };

export type Initializer =
  | { kind: 'Object'; members: { name: string; value: Expr }[] }
  | { kind: 'Collection'; items: Expr[][] };

export type BinaryOp =
  | '||' | '&&' | '|' | '^' | '&' | '==' | '!=' | '<' | '>' | '<=' | '>=' | '<<' | '>>' | '+' | '-' | '*' | '/' | '%' | '??';
export type AssignOp = '=' | '+=' | '-=' | '*=' | '/=' | '%=' | '&=' | '|=' | '^=' | '<<=' | '>>=' | '??=';

export interface Block {
  kind: 'Block';
  body: Stmt[];
  span: Span;
}

export interface VarDeclarator {
  name: string;
  init: Expr | null;
  span: Span;
}

export type Stmt =
  | Block
  | { kind: 'ExprStmt'; expr: Expr; span: Span }
  | { kind: 'VarDecl'; type: TypeRef | null; decls: VarDeclarator[]; isConst: boolean; span: Span }
  | { kind: 'If'; test: Expr; then: Stmt; otherwise: Stmt | null; span: Span }
  | { kind: 'While'; test: Expr; body: Stmt; span: Span }
  | { kind: 'DoWhile'; body: Stmt; test: Expr; span: Span }
  | { kind: 'For'; init: Stmt[]; test: Expr | null; update: Expr[]; body: Stmt; span: Span }
  | { kind: 'Foreach'; type: TypeRef | null; name: string; iterable: Expr; body: Stmt; span: Span }
  | { kind: 'Switch'; discriminant: Expr; cases: SwitchCase[]; span: Span }
  | { kind: 'Break'; span: Span }
  | { kind: 'Continue'; span: Span }
  | { kind: 'Return'; value: Expr | null; span: Span }
  | { kind: 'Throw'; value: Expr | null; span: Span }
  | { kind: 'Try'; block: Block; catches: CatchClause[]; finalizer: Block | null; span: Span }
  | { kind: 'Using'; resource: Stmt; body: Stmt | null; span: Span }
  | { kind: 'LocalFunction'; name: string; returnType: TypeRef | null; params: { name: string; type: TypeRef | null }[]; body: Block | Expr; span: Span }
  | { kind: 'Empty'; span: Span };

export interface SwitchCase {
  /** `null` label = `default:`. */
  labels: (Expr | null)[];
  body: Stmt[];
}

export interface CatchClause {
  type: TypeRef | null;
  name: string | null;
  when: Expr | null;
  body: Block;
}

/** The root: `@( expr )` or `@{ statements }`. */
export type Program = { kind: 'Expression'; expr: Expr; span: Span } | { kind: 'Statements'; body: Block; span: Span };

export type Node = Expr | Stmt | TypeRef | Program;
