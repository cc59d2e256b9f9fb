import type { PolicyPos } from './types.js';

/**
 * Offset → line/column for one file. Built once per file (one pass to find line starts) and queried with a
 * binary search, so positions cost O(log lines) each.
 */
export class LineIndex {
  private readonly starts: number[] = [0];
  constructor(
    readonly text: string,
    readonly file: string,
  ) {
    for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) this.starts.push(i + 1);
  }

  /** The position of `offset` (clamped to the text). */
  at(offset: number): PolicyPos {
    const o = Math.max(0, Math.min(offset, this.text.length));
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid]! <= o) lo = mid;
      else hi = mid - 1;
    }
    return { file: this.file, line: lo + 1, column: o - this.starts[lo]! + 1, offset: o };
  }
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
