/**
 * A small JSONPath for body expectations: `$`, `.name`, `['name']`, `[0]`, `[-1]`, `[*]`, `.*` and `..name`
 * (recursive descent). No filters or scripts: expectations should read plainly.
 */

/** One step of a parsed path. */
type Segment = { kind: 'key'; key: string } | { kind: 'index'; index: number } | { kind: 'wildcard' } | { kind: 'descend'; key: string };

/** Parses a JSONPath; throws an `Error` with the offending column for a malformed one. */
export function parseJsonPath(path: string): Segment[] {
  if (!path.startsWith('$')) throw new Error(`JSONPath must start with $: ${path}`);
  const out: Segment[] = [];
  let i = 1;
  const name = /^[A-Za-z_$@][\w$@-]*/;
  while (i < path.length) {
    const rest = path.slice(i);
    if (rest.startsWith('..')) {
      const m = name.exec(rest.slice(2));
      if (!m) throw new Error(`JSONPath ${path}: expected a name after '..' at column ${i + 3}`);
      out.push({ kind: 'descend', key: m[0] });
      i += 2 + m[0].length;
    } else if (rest.startsWith('.*')) {
      out.push({ kind: 'wildcard' });
      i += 2;
    } else if (rest.startsWith('.')) {
      const m = name.exec(rest.slice(1));
      if (!m) throw new Error(`JSONPath ${path}: expected a name after '.' at column ${i + 2}`);
      out.push({ kind: 'key', key: m[0] });
      i += 1 + m[0].length;
    } else if (rest.startsWith('[')) {
      const close = rest.indexOf(']');
      if (close < 0) throw new Error(`JSONPath ${path}: unclosed '[' at column ${i + 1}`);
      const inner = rest.slice(1, close).trim();
      if (inner === '*') out.push({ kind: 'wildcard' });
      else if (/^-?\d+$/.test(inner)) out.push({ kind: 'index', index: Number(inner) });
      else if (/^'.*'$|^".*"$/.test(inner)) out.push({ kind: 'key', key: inner.slice(1, -1) });
      else throw new Error(`JSONPath ${path}: unsupported selector [${inner}] at column ${i + 1}`);
      i += close + 1;
    } else {
      throw new Error(`JSONPath ${path}: unexpected '${rest[0]}' at column ${i + 1}`);
    }
  }
  return out;
}

/** All values `path` selects in `doc` (empty when nothing matches). */
export function queryJsonPath(doc: unknown, path: string): unknown[] {
  let current: unknown[] = [doc];
  for (const seg of parseJsonPath(path)) {
    const next: unknown[] = [];
    for (const v of current) {
      switch (seg.kind) {
        case 'key':
          if (isObject(v) && Object.hasOwn(v, seg.key)) next.push(v[seg.key]);
          break;
        case 'index':
          if (Array.isArray(v)) {
            const idx = seg.index < 0 ? v.length + seg.index : seg.index;
            if (idx >= 0 && idx < v.length) next.push(v[idx]);
          }
          break;
        case 'wildcard':
          if (Array.isArray(v)) next.push(...v);
          else if (isObject(v)) next.push(...Object.values(v));
          break;
        case 'descend':
          collect(v, seg.key, next);
          break;
      }
    }
    current = next;
  }
  return current;
}

function collect(v: unknown, key: string, out: unknown[]): void {
  if (Array.isArray(v)) for (const x of v) collect(x, key, out);
  else if (isObject(v)) {
    if (Object.hasOwn(v, key)) out.push(v[key]);
    for (const x of Object.values(v)) collect(x, key, out);
  }
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}
