import { advancePos } from './positions.js';
import type { PolicyElement, PolicyPos } from './types.js';
import { walkElements } from './walk.js';

/**
 * Named values (`{{name}}`, POLICY-ENGINE.md §2.4): substituted textually, before an expression is
 * compiled, in attribute values, element text and expression source alike. Names are display names:
 * letters, digits, `.`, `-`, `_` (so C# code such as `{{ }}` braces is not mistaken for a reference).
 */
const REFERENCE = /\{\{([A-Za-z0-9][A-Za-z0-9._\-]*)\}\}/g;

/** One `{{name}}` in a string: `start`/`end` are offsets of the braces in that string. */
export interface NamedValueReference {
  name: string;
  start: number;
  end: number;
}

/** Every `{{name}}` reference in `text`, in order. */
export function findNamedValueReferences(text: string): NamedValueReference[] {
  if (text.indexOf('{{') < 0) return [];
  const out: NamedValueReference[] = [];
  for (const m of text.matchAll(REFERENCE)) out.push({ name: m[1]!, start: m.index, end: m.index + m[0].length });
  return out;
}

/** Result of substitution: the new text and the references that had no value (with their offsets). */
export interface SubstitutionResult {
  text: string;
  unknown: NamedValueReference[];
}

/**
 * Replaces every `{{name}}` with `lookup(name)`. Replaced values are not scanned again: a named value
 * cannot contain another named value (§2.4). Unknown names are left as written and reported.
 * @example substituteNamedValues('Bearer {{token}}', (n) => ({ token: 'abc' })[n]) // → { text: 'Bearer abc', unknown: [] }
 */
export function substituteNamedValues(text: string, lookup: (name: string) => string | undefined): SubstitutionResult {
  const refs = findNamedValueReferences(text);
  if (refs.length === 0) return { text, unknown: [] };
  let out = '';
  let last = 0;
  const unknown: NamedValueReference[] = [];
  for (const r of refs) {
    const value = lookup(r.name);
    out += text.slice(last, r.start);
    if (value === undefined) {
      unknown.push(r);
      out += text.slice(r.start, r.end);
    } else out += value;
    last = r.end;
  }
  return { text: out + text.slice(last), unknown };
}

/** A `{{name}}` found in a parsed document, with its position in the file. */
export interface PositionedNamedValueReference {
  name: string;
  pos: PolicyPos;
  element: PolicyElement;
}

/** Every named-value reference in attribute values and element text under `root`, positioned. */
export function findNamedValueReferencesInElement(root: PolicyElement): PositionedNamedValueReference[] {
  const out: PositionedNamedValueReference[] = [];
  walkElements(root, (element) => {
    // Positions are read only where there is a reference (lazily parsed documents compute them on read).
    // Indexed loops: asked of every element of a folder's policies, where `for…of` costs an iterator result per step.
    const { attributes, children } = element;
    for (let i = 0; i < attributes.length; i++) {
      const a = attributes[i]!;
      const text = a.value;
      const refs = findNamedValueReferences(text);
      if (refs.length === 0) continue;
      const base = a.expression ? a.expression.pos : a.valuePos;
      for (const r of refs) out.push({ name: r.name, pos: advancePos(base, text, r.start), element });
    }
    for (let i = 0; i < children.length; i++) {
      const c = children[i]!;
      if (c.type !== 'text') continue;
      if (c.expression) {
        for (const r of findNamedValueReferences(c.expression.source)) {
          out.push({ name: r.name, pos: advancePos(c.expression.pos, c.expression.source, r.start), element });
        }
      } else {
        const refs = findNamedValueReferences(c.text);
        if (refs.length === 0) continue;
        const base = c.cdata ? advancePos(c.pos, '<![CDATA[', 9) : c.pos;
        for (const r of refs) out.push({ name: r.name, pos: advancePos(base, c.text, r.start), element });
      }
    }
  });
  return out;
}
