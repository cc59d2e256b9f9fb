/**
 * The policy AST: what `parsePolicyDocument` produces and what lint and the gateway consume. Every node
 * carries the position of its first character in the file it was read from, so any later problem
 * (a lint finding, a load error, a runtime trace) can point at `file:line:column`.
 */

/** A position in a policy file: 1-based line and column (UTF-16 code units), 0-based offset. */
export interface PolicyPos {
  file: string;
  line: number;
  column: number;
  offset: number;
}

/** The four sections of a `<policies>` document. */
export const SECTION_NAMES = ['inbound', 'backend', 'outbound', 'on-error'] as const;
export type SectionName = (typeof SECTION_NAMES)[number];

/** A policy expression (`@(...)` or `@{...}`) exactly as written, entity-decoded. */
export interface PolicyExpressionSource {
  /** The whole expression including `@(`…`)` / `@{`…`}`, with XML entities decoded. */
  source: string;
  /** `(` for a single expression `@(…)`, `{` for a statement block `@{…}`. */
  form: 'expression' | 'block';
  /** Position of the `@`. */
  pos: PolicyPos;
  /** Position just after the closing bracket. */
  endPos: PolicyPos;
}

export interface PolicyAttribute {
  name: string;
  /** The value with entities decoded. For an expression value this is the expression source, trimmed. */
  value: string;
  /** Set when the (trimmed) value starts with `@(` or `@{`: the value is then entirely that expression. */
  expression?: PolicyExpressionSource;
  /** Position of the attribute name. */
  pos: PolicyPos;
  /** Position of the first character after the opening quote. */
  valuePos: PolicyPos;
}

export interface PolicyElement {
  type: 'element';
  name: string;
  attributes: PolicyAttribute[];
  children: PolicyNode[];
  /** Position of the `<` that opens the element. */
  pos: PolicyPos;
  /** Position just after the `>` that closes the element (`/>` or the end tag). */
  endPos: PolicyPos;
  selfClosing: boolean;
  /** Set on a fragment's top-level policy after `inlineFragments` put it in place of `<include-fragment>`. */
  includedFrom?: { fragmentId: string; include: PolicyElement };
}

export interface PolicyText {
  type: 'text';
  /** Entity-decoded text (CDATA content verbatim). */
  text: string;
  /** Set when the trimmed text starts with `@(`/`@{`: the text is then entirely that expression. */
  expression?: PolicyExpressionSource;
  cdata: boolean;
  pos: PolicyPos;
}

/** An XML comment, kept because lint reads `<!-- apimops-disable-next-line rule-id -->`. */
export interface PolicyComment {
  type: 'comment';
  /** The text between `<!--` and `-->`. */
  text: string;
  pos: PolicyPos;
  endPos: PolicyPos;
}

export type PolicyNode = PolicyElement | PolicyText | PolicyComment;

/** A parsed policy file: a scope document (`<policies>`) or a policy fragment (`<fragment>`). */
export interface PolicyDocument {
  kind: 'policies' | 'fragment';
  file: string;
  root: PolicyElement;
  /** The section elements of a `<policies>` document (empty for a fragment). */
  sections: Partial<Record<SectionName, PolicyElement>>;
  /** Every comment of the file, in order (including those outside the root). */
  comments: PolicyComment[];
}
