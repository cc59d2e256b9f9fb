/**
 * Expectations against actual values, as pure functions. Each check returns the failures it found, with
 * expected and actual rendered for people: JSON differences as one line per differing path
 * (`$.statusCode: expected 403, got 200`), text bodies as a line diff.
 */
import type { At, BodyMatcher, Failure, ValueMatcher } from './types.js';
import { queryJsonPath } from './jsonpath.js';

/** Shows a value in a failure message: strings in quotes, JSON for the rest, `(absent)` for nothing. */
export function show(v: unknown): string {
  if (v === undefined) return '(absent)';
  if (typeof v === 'string') return JSON.stringify(v);
  return JSON.stringify(v);
}

/** What a matcher expects, in words. */
export function describeMatcher(m: ValueMatcher): string {
  switch (m.kind) {
    case 'equals':
      return show(m.value);
    case 'regex':
      return `matching /${m.source}/`;
    case 'contains':
      return `containing ${show(m.text)}`;
    case 'absent':
      return '(absent)';
    case 'present':
      return '(present)';
  }
}

/** JSON equality where a number or boolean equals its text (headers and C# values arrive as text). */
export function looseEqual(expected: unknown, actual: unknown): boolean {
  if (expected === actual) return true;
  if (expected === null || actual === null || expected === undefined || actual === undefined) return false;
  const scalar = (x: unknown) => typeof x === 'string' || typeof x === 'number' || typeof x === 'boolean';
  if (scalar(expected) && scalar(actual)) return String(expected) === String(actual);
  if (Array.isArray(expected)) {
    return Array.isArray(actual) && actual.length === expected.length && expected.every((e, i) => looseEqual(e, actual[i]));
  }
  if (typeof expected === 'object' && typeof actual === 'object' && !Array.isArray(actual)) {
    const ek = Object.keys(expected as object);
    const ak = Object.keys(actual as object);
    return ek.length === ak.length && ek.every((k) => Object.hasOwn(actual as object, k) && looseEqual((expected as Record<string, unknown>)[k], (actual as Record<string, unknown>)[k]));
  }
  return false;
}

/** Checks one value (a header, a variable, a JSONPath result); undefined means absent. */
export function matchValue(m: ValueMatcher, actual: unknown): boolean {
  switch (m.kind) {
    case 'equals':
      return actual !== undefined && looseEqual(m.value, actual);
    case 'regex':
      return actual !== undefined && m.regex.test(typeof actual === 'string' ? actual : JSON.stringify(actual));
    case 'contains':
      return actual !== undefined && (typeof actual === 'string' ? actual : JSON.stringify(actual)).includes(m.text);
    case 'absent':
      return actual === undefined;
    case 'present':
      return actual !== undefined;
  }
}

/** Checks named values (headers, variables, query parameters) against matchers. */
export function matchNamed(what: string, matchers: readonly [string, ValueMatcher][], get: (name: string) => unknown): Failure[] {
  const out: Failure[] = [];
  for (const [name, m] of matchers) {
    const actual = get(name);
    if (!matchValue(m, actual)) out.push({ what: `${what} ${name}`, expected: describeMatcher(m), actual: show(actual), at: m.at });
  }
  return out;
}

/** `expected` is contained in `actual`: objects may have more keys, arrays must have the same length. */
export function jsonSubsetDifferences(expected: unknown, actual: unknown, path = '$'): { path: string; expected: unknown; actual: unknown }[] {
  if (expected !== null && typeof expected === 'object' && !Array.isArray(expected)) {
    if (actual === null || typeof actual !== 'object' || Array.isArray(actual)) return [{ path, expected, actual }];
    const out: { path: string; expected: unknown; actual: unknown }[] = [];
    for (const [k, v] of Object.entries(expected)) {
      const sub = /^[A-Za-z_$][\w$]*$/.test(k) ? `${path}.${k}` : `${path}['${k}']`;
      out.push(...jsonSubsetDifferences(v, Object.hasOwn(actual, k) ? (actual as Record<string, unknown>)[k] : undefined, sub));
    }
    return out;
  }
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual)) return [{ path, expected, actual }];
    if (actual.length !== expected.length) return [{ path: `${path}.length`, expected: expected.length, actual: actual.length }];
    return expected.flatMap((e, i) => jsonSubsetDifferences(e, actual[i], `${path}[${i}]`));
  }
  return looseEqual(expected, actual) ? [] : [{ path, expected, actual }];
}

/** Checks a body (text) against a body matcher. `label` prefixes `what` (`body`, `backend call 1 body`). */
export function matchBody(m: BodyMatcher, text: string, label = 'body'): Failure[] {
  const out: Failure[] = [];
  let parsed: { ok: true; value: unknown } | { ok: false; error: string } | undefined;
  const json = () => {
    if (!parsed) {
      try {
        parsed = { ok: true, value: JSON.parse(text) as unknown };
      } catch (e) {
        parsed = { ok: false, error: (e as Error).message };
      }
    }
    return parsed;
  };
  const notJson = (at: At, expected: string): Failure => ({ what: label, expected, actual: `not JSON: ${preview(text)}`, at });
  if (m.equals) {
    const v = m.equals.value;
    if (typeof v === 'string') {
      if (v !== text) out.push({ what: label, expected: preview(v), actual: preview(text), at: m.equals.at, diff: lineDiff(v, text) });
    } else {
      const j = json();
      if (!j.ok) out.push(notJson(m.equals.at, show(v)));
      else if (!looseEqual(v, j.value)) {
        out.push({ what: label, expected: 'JSON equal to the expectation', actual: 'different JSON', at: m.equals.at, diff: lineDiff(pretty(v), pretty(j.value)) });
      }
    }
  }
  if (m.json) {
    const j = json();
    if (!j.ok) out.push(notJson(m.json.at, `JSON containing ${show(m.json.value)}`));
    else for (const d of jsonSubsetDifferences(m.json.value, j.value)) out.push({ what: `${label} ${d.path}`, expected: show(d.expected), actual: show(d.actual), at: m.json.at });
  }
  for (const p of m.jsonPath ?? []) {
    const j = json();
    if (!j.ok) {
      out.push(notJson(p.at, `a value at ${p.path}`));
      continue;
    }
    let values: unknown[];
    try {
      values = queryJsonPath(j.value, p.path);
    } catch (e) {
      out.push({ what: `${label} ${p.path}`, expected: 'a valid JSONPath', actual: (e as Error).message, at: p.at });
      continue;
    }
    if (values.length === 0) {
      if (p.matcher.kind !== 'absent') out.push({ what: `${label} ${p.path}`, expected: describeMatcher(p.matcher), actual: '(no value at this path)', at: p.at });
      continue;
    }
    for (const v of values) {
      if (!matchValue(p.matcher, v)) {
        out.push({ what: `${label} ${p.path}`, expected: describeMatcher(p.matcher), actual: show(v), at: p.at });
        break;
      }
    }
  }
  if (m.regex && !m.regex.regex.test(text)) out.push({ what: label, expected: `matching /${m.regex.source}/`, actual: preview(text), at: m.regex.at });
  if (m.contains && !text.includes(m.contains.text)) out.push({ what: label, expected: `containing ${show(m.contains.text)}`, actual: preview(text), at: m.contains.at });
  if (m.empty && text.length > 0) out.push({ what: label, expected: '(empty)', actual: preview(text), at: m.empty.at });
  return out;
}

/** The first 200 characters of a text, quoted. */
export function preview(text: string): string {
  if (text === '') return '(empty)';
  return JSON.stringify(text.length > 200 ? `${text.slice(0, 200)}…` : text);
}

function pretty(v: unknown): string {
  return JSON.stringify(v, null, 2);
}

/**
 * A unified line diff of `expected` → `actual` (`- ` expected only, `+ ` actual only, `  ` both), from a
 * longest-common-subsequence table: bodies in test cases are small.
 */
export function lineDiff(expected: string, actual: string): string {
  const a = expected.split('\n');
  const b = actual.split('\n');
  if (a.length * b.length > 250_000) return [...a.map((l) => `- ${l}`), ...b.map((l) => `+ ${l}`)].join('\n');
  const lcs: number[][] = Array.from({ length: a.length + 1 }, () => new Array<number>(b.length + 1).fill(0));
  for (let i = a.length - 1; i >= 0; i--) {
    for (let j = b.length - 1; j >= 0; j--) {
      lcs[i]![j] = a[i] === b[j] ? lcs[i + 1]![j + 1]! + 1 : Math.max(lcs[i + 1]![j]!, lcs[i]![j + 1]!);
    }
  }
  const out: string[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    if (a[i] === b[j]) {
      out.push(`  ${a[i]}`);
      i++;
      j++;
    } else if (lcs[i + 1]![j]! >= lcs[i]![j + 1]!) out.push(`- ${a[i++]}`);
    else out.push(`+ ${b[j++]}`);
  }
  while (i < a.length) out.push(`- ${a[i++]}`);
  while (j < b.length) out.push(`+ ${b[j++]}`);
  return out.join('\n');
}
