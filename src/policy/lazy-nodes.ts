/**
 * AST nodes whose positions are computed when read (`ParseOptions.positions: 'lazy'`). They keep offsets
 * and the file's `LineIndex` instead of four-field position objects, which are about half of a parsed
 * document's memory: lint parses every policy of a folder and reads positions only where it reports.
 * Each read of `pos`/`endPos`/`valuePos` computes an equal object (positions are never mutated). Positions, `type` and
 * an element's `selfClosing` live on the prototype, so copy a node with `copyNode` (which keeps it), not with
 * `{ ...node }` (which would drop them).
 */
import type { LineIndex } from './positions.js';
import type {
  PolicyAttribute,
  PolicyComment,
  PolicyElement,
  PolicyExpressionSource,
  PolicyNode,
  PolicyPos,
  PolicyText,
} from './types.js';

/** A node that spans `start`…`end` of its file: `pos` and `endPos` computed from the offsets when read. */
abstract class LazySpan {
  constructor(
    protected readonly start: number,
    protected readonly end: number,
    protected readonly lines: LineIndex,
  ) {}
  get pos(): PolicyPos {
    return this.lines.at(this.start);
  }
  get endPos(): PolicyPos {
    return this.lines.at(this.end);
  }
}

export class LazyElement extends LazySpan implements PolicyElement {
  declare readonly type: 'element';
  declare includedFrom?: PolicyElement['includedFrom'];
  constructor(
    readonly name: string,
    readonly attributes: PolicyAttribute[],
    readonly children: PolicyNode[],
    start: number,
    end: number,
    lines: LineIndex,
  ) {
    super(start, end, lines);
  }
  /** `<name … />`: the element's last two characters are `/>` (an end tag's are a name character and `>`). */
  get selfClosing(): boolean {
    return this.lines.text.charCodeAt(this.end - 2) === SLASH;
  }
}

export class LazyAttribute implements PolicyAttribute {
  constructor(
    readonly name: string,
    readonly value: string,
    private readonly nameAt: number,
    private readonly valueAt: number,
    private readonly lines: LineIndex,
    // A field of every attribute (undefined for most), set here rather than added after construction: one hidden
    // class for all attributes and no property array for the ~40,000 with an expression in a large folder.
    readonly expression: PolicyExpressionSource | undefined = undefined,
  ) {}
  get pos(): PolicyPos {
    return this.lines.at(this.nameAt);
  }
  get valuePos(): PolicyPos {
    return this.lines.at(this.valueAt);
  }
}

export class LazyExpression extends LazySpan implements PolicyExpressionSource {
  constructor(
    readonly source: string,
    readonly form: 'expression' | 'block',
    start: number,
    end: number,
    lines: LineIndex,
  ) {
    super(start, end, lines);
  }
}

export class LazyText implements PolicyText {
  declare readonly type: 'text';
  constructor(
    readonly text: string,
    readonly cdata: boolean,
    private readonly start: number,
    private readonly lines: LineIndex,
    // As LazyAttribute's: a field of every text node, set at construction.
    readonly expression: PolicyExpressionSource | undefined = undefined,
  ) {}
  get pos(): PolicyPos {
    return this.lines.at(this.start);
  }
}

export class LazyComment extends LazySpan implements PolicyComment {
  declare readonly type: 'comment';
  constructor(
    readonly text: string,
    start: number,
    end: number,
    lines: LineIndex,
  ) {
    super(start, end, lines);
  }
}

const SLASH = 47; // '/'

// A node's `type` is the same for every node of a class: kept once, on the prototype, instead of a field in each
// of a folder's ~200,000 nodes (like `selfClosing`, which the source text answers).
for (const [cls, type] of [
  [LazyElement, 'element'],
  [LazyText, 'text'],
  [LazyComment, 'comment'],
] as const) {
  Object.defineProperty(cls.prototype, 'type', { value: type, enumerable: true });
}

/**
 * A shallow copy of a node with some fields replaced, keeping its prototype (so a lazy node keeps its
 * positions); for a plain node it is the same as `{ ...node, ...changes }`.
 */
export function copyNode<T extends object>(node: T, changes: Partial<T>): T {
  return Object.assign(Object.create(Object.getPrototypeOf(node) as object | null) as T, node, changes);
}
