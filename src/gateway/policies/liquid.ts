/**
 * The small Liquid subset `set-body template="liquid"` supports (§5.2): output tags `{{ path | Filter: arg }}`
 * over `body` (the parsed JSON body) and `context` (Request/Response members). Tags (`{% … %}`) are rejected
 * at load with a position rather than half-supported.
 */

export interface LiquidTemplate {
  render(scope: Record<string, unknown>): string;
}

const OUTPUT = /\{\{-?\s*([\s\S]*?)\s*-?\}\}/g;

/** Compiles a template; throws an Error with the offset of an unsupported construct. */
export function compileLiquid(text: string): LiquidTemplate {
  const tag = text.indexOf('{%');
  if (tag >= 0) throw Object.assign(new Error('Liquid tags ({% … %}) are not supported by apimops serve; use output tags {{ … }} or a policy expression'), { offset: tag });
  const parts: (string | ((scope: Record<string, unknown>) => string))[] = [];
  let last = 0;
  for (const m of text.matchAll(OUTPUT)) {
    parts.push(text.slice(last, m.index));
    parts.push(compileOutput(m[1]!));
    last = m.index + m[0].length;
  }
  parts.push(text.slice(last));
  return {
    render(scope) {
      let out = '';
      for (const p of parts) out += typeof p === 'string' ? p : p(scope);
      return out;
    },
  };
}

function compileOutput(src: string): (scope: Record<string, unknown>) => string {
  const [head = '', ...filters] = src.split('|').map((s) => s.trim());
  const path = parsePath(head);
  const fs = filters.map(compileFilter);
  return (scope) => {
    let v: unknown = path(scope);
    for (const f of fs) v = f(v);
    return toText(v);
  };
}

function parsePath(src: string): (scope: Record<string, unknown>) => unknown {
  const lit = /^"(.*)"$|^'(.*)'$/.exec(src);
  if (lit) return () => lit[1] ?? lit[2];
  if (/^-?\d+(\.\d+)?$/.test(src)) return () => Number(src);
  const segs: (string | number)[] = [];
  for (const m of src.matchAll(/([A-Za-z_][\w-]*)|\[\s*(?:"([^"]*)"|'([^']*)'|(\d+))\s*\]/g)) {
    segs.push(m[1] ?? m[2] ?? m[3] ?? Number(m[4]));
  }
  return (scope) => {
    let cur: unknown = scope;
    for (const s of segs) cur = member(cur, s);
    return cur;
  };
}

function member(obj: unknown, key: string | number): unknown {
  if (obj === null || obj === undefined) return undefined;
  if (typeof (obj as { get?: unknown }).get === 'function' && typeof key === 'string' && !(key in (obj as object))) {
    const v = (obj as { get(k: string): unknown }).get(key);
    return Array.isArray(v) ? v.join(',') : v;
  }
  if (Array.isArray(obj) && key === 'size') return obj.length;
  return (obj as Record<string | number, unknown>)[key];
}

function compileFilter(src: string): (v: unknown) => unknown {
  const m = /^(\w+)\s*(?::\s*(.*))?$/.exec(src);
  const name = (m?.[1] ?? src).toLowerCase();
  const args = (m?.[2] ?? '').split(',').map((a) => a.trim().replace(/^"(.*)"$|^'(.*)'$/, '$1$2')).filter((a) => a.length > 0);
  switch (name) {
    case 'upcase': return (v) => toText(v).toUpperCase();
    case 'downcase': return (v) => toText(v).toLowerCase();
    case 'capitalize': return (v) => { const t = toText(v); return t.charAt(0).toUpperCase() + t.slice(1); };
    case 'default': return (v) => (v === undefined || v === null || v === '' ? args[0] ?? '' : v);
    case 'append': return (v) => toText(v) + (args[0] ?? '');
    case 'prepend': return (v) => (args[0] ?? '') + toText(v);
    case 'size': return (v) => (Array.isArray(v) ? v.length : toText(v).length);
    case 'join': return (v) => (Array.isArray(v) ? v.map(toText).join(args[0] ?? ' ') : toText(v));
    case 'strip': return (v) => toText(v).trim();
    case 'escape': return (v) => toText(v).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
    case 'urlencode': return (v) => encodeURIComponent(toText(v));
    case 'replace': return (v) => toText(v).split(args[0] ?? '').join(args[1] ?? '');
    case 'plus': return (v) => Number(v) + Number(args[0] ?? 0);
    case 'minus': return (v) => Number(v) - Number(args[0] ?? 0);
    case 'times': return (v) => Number(v) * Number(args[0] ?? 1);
    case 'first': return (v) => (Array.isArray(v) ? v[0] : v);
    case 'last': return (v) => (Array.isArray(v) ? v[v.length - 1] : v);
    default:
      throw new Error(`Liquid filter "${m?.[1] ?? src}" is not supported by apimops serve`);
  }
}

function toText(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}
