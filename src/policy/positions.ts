import type { PolicyPos } from './types.js';

/**
 * Offset → line/column for one file. Line starts are found once per file, on the first question, and
 * queried with a binary search, so positions cost O(log lines) each. The tokenizer asks in (nearly) increasing order, so
 * the line of the previous answer is tried first, and asking twice for one offset (an element's end is the
 * next text's start) returns the same object: positions are never mutated.
 */
export class LineIndex {
  /** Line starts, found on the first question (a lazily parsed document may never be asked). */
  private starts: number[] | undefined;
  private lastLine = 0;
  private last: PolicyPos | undefined;
  constructor(
    readonly text: string,
    readonly file: string,
  ) {}

  /** The position of `offset` (clamped to the text). */
  at(offset: number): PolicyPos {
    const o = Math.max(0, Math.min(offset, this.text.length));
    if (this.last !== undefined && this.last.offset === o) return this.last;
    const starts = (this.starts ??= lineStarts(this.text));
    let line = this.lastLine;
    if (!(starts[line]! <= o && (line + 1 >= starts.length || o < starts[line + 1]!))) {
      let lo = 0;
      let hi = starts.length - 1;
      while (lo < hi) {
        const mid = (lo + hi + 1) >> 1;
        if (starts[mid]! <= o) lo = mid;
        else hi = mid - 1;
      }
      line = lo;
    }
    this.lastLine = line;
    return (this.last = { file: this.file, line: line + 1, column: o - starts[line]! + 1, offset: o });
  }
}

function lineStarts(text: string): number[] {
  const starts = [0];
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
  return starts;
}

/**
 * The position `delta` characters into `text`, where `text` starts at `pos`. Used to point inside an
 * attribute value or text node (e.g. at a `{{named value}}`); exact when the value has no entities before
 * that point, otherwise off by the entities' extra length.
 */
export function advancePos(pos: PolicyPos, text: string, delta: number): PolicyPos {
  let { line, column } = pos;
  const end = Math.min(delta, text.length);
  for (let i = 0; i < end; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      column = 1;
    } else column++;
  }
  return { file: pos.file, line, column, offset: pos.offset + delta };
}
