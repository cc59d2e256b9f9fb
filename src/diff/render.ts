/**
 * A `ChangeSet` (or a publish plan) as text for people or as one JSON document for machines. Secrets
 * (`SECRET_FIELDS`, and any named value marked `secret: true`) are printed as `***`, in both forms.
 */
import { SECRET_FIELDS } from '../artifacts/kinds.js';
import type { Resource } from '../artifacts/model.js';
import type { Change, ChangeSet } from './diff.js';
import type { FieldChange } from './equality.js';

/** How a secret value is printed. */
export const MASK = '***';

/** Dotted property paths of a resource that hold secrets (relative to `properties`). */
export function secretPaths(r: Resource | undefined): readonly string[] {
  if (!r) return [];
  const fields = [...(SECRET_FIELDS[r.kind] ?? [])];
  // a plain named value is not secret; `value` is listed in SECRET_FIELDS for the secret ones only
  if (r.kind === 'namedValue' && r.properties.secret !== true) return fields.filter((f) => f !== 'value');
  return fields;
}

function isUnder(path: string, secret: string): boolean {
  return path === secret || path.startsWith(`${secret}.`) || secret.startsWith(`${path}.`);
}

function maskValue(v: unknown, prefix: string, secrets: readonly string[]): unknown {
  if (secrets.some((s) => s === prefix || prefix.startsWith(`${s}.`))) return v === undefined ? undefined : MASK;
  if (v && typeof v === 'object' && !Array.isArray(v)) {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) out[k] = maskValue(x, prefix ? `${prefix}.${k}` : k, secrets);
    return out;
  }
  return v;
}

/** `properties` with secret values replaced by `***`. */
export function maskProperties(r: Resource): Record<string, unknown> {
  return maskValue(r.properties, '', secretPaths(r)) as Record<string, unknown>;
}

function maskField(f: FieldChange, secrets: readonly string[]): FieldChange {
  const rel = f.path.replace(/^properties\.?/, '');
  if (!f.path.startsWith('properties') || !secrets.some((s) => isUnder(rel, s))) return f;
  const out: FieldChange = { path: f.path };
  if (f.before !== undefined) out.before = maskValue(f.before, rel, secrets);
  if (f.after !== undefined) out.after = maskValue(f.after, rel, secrets);
  return out;
}

/** A change with every secret masked: safe to print or serialise. */
export function maskChange(c: Change): Change {
  const secrets = [...new Set([...secretPaths(c.before), ...secretPaths(c.after)])];
  const out: Change = { ...c, fields: c.fields.map((f) => maskField(f, secrets)) };
  if (c.before) out.before = { ...c.before, properties: maskProperties(c.before) };
  if (c.after) out.after = { ...c.after, properties: maskProperties(c.after) };
  return out;
}

const SIGN: Record<Change['op'], string> = { create: '+', update: '~', delete: '-' };
const VERB: Record<Change['op'], string> = { create: 'create', update: 'update', delete: 'delete' };

function fmt(v: unknown): string {
  if (v === undefined) return '(absent)';
  return typeof v === 'string' ? JSON.stringify(v) : JSON.stringify(v);
}

/** Lines of a text block shown as a line diff (policy XML, specifications): common prefix/suffix elided. */
function textDiff(before: string | undefined, after: string | undefined, indent: string): string[] {
  const a = (before ?? '').replace(/\r\n?/g, '\n').split('\n');
  const b = (after ?? '').replace(/\r\n?/g, '\n').split('\n');
  let start = 0;
  while (start < a.length && start < b.length && a[start] === b[start]) start++;
  let endA = a.length;
  let endB = b.length;
  while (endA > start && endB > start && a[endA - 1] === b[endB - 1]) {
    endA--;
    endB--;
  }
  const out: string[] = [];
  if (start > 0) out.push(`${indent}  @@ line ${start + 1}`);
  for (const l of a.slice(start, endA)) out.push(`${indent}- ${l}`);
  for (const l of b.slice(start, endB)) out.push(`${indent}+ ${l}`);
  if (out.length === 0 || (out.length === 1 && start > 0)) out.push(`${indent}  (whitespace only)`);
  return out;
}

/** One change as text lines. */
export function renderChange(change: Change, opts: { details?: boolean } = {}): string[] {
  const c = maskChange(change);
  const lines = [`${SIGN[c.op]} ${VERB[c.op]} ${c.kind} ${c.key}`];
  if (opts.details === false) return lines;
  if (c.op === 'update') {
    for (const f of c.fields) {
      if (f.path === 'policy' || f.path === 'specification') {
        lines.push(`    ${f.path}:`);
        lines.push(...textDiff(f.before as string | undefined, f.after as string | undefined, '      '));
      } else {
        lines.push(`    ${f.path}: ${fmt(f.before)} → ${fmt(f.after)}`);
      }
    }
  } else if (c.op === 'create' && c.after) {
    for (const [k, v] of Object.entries(c.after.properties).sort(([a], [b]) => (a < b ? -1 : 1))) lines.push(`    ${k}: ${fmt(v)}`);
    if (c.after.policy) lines.push(`    policy: ${c.after.policy.text.split('\n').length} lines`);
    if (c.after.specification) lines.push(`    specification: ${c.after.specification.format}`);
  }
  return lines;
}

/** `Created: 1, Updated: 2, Deleted: 0` (the counts CI logs grep for). */
export function renderSummary(cs: ChangeSet, tense: 'past' | 'future' = 'future'): string {
  const s = cs.summary;
  return tense === 'future'
    ? `Summary: ${s.created} to create, ${s.updated} to update, ${s.deleted} to delete`
    : `Created: ${s.created}, Updated: ${s.updated}, Deleted: ${s.deleted}`;
}

/** A whole change set as text (stdout of `apimops diff`). */
export function renderChangeSetText(cs: ChangeSet, opts: { title?: string; details?: boolean } = {}): string {
  const lines: string[] = [];
  if (opts.title) lines.push(opts.title, '');
  if (cs.changes.length === 0) lines.push('No changes.');
  for (const c of cs.changes) lines.push(...renderChange(c, opts));
  lines.push('', `Created: ${cs.summary.created}  Updated: ${cs.summary.updated}  Deleted: ${cs.summary.deleted}`);
  return `${lines.join('\n')}\n`;
}

/** The JSON form of a change: no origins, secrets masked, policy/specification text included. */
export function changeToJson(change: Change): Record<string, unknown> {
  const c = maskChange(change);
  const view = (r: Resource | undefined) =>
    r && {
      properties: r.properties,
      ...(r.policy ? { policy: r.policy.text } : {}),
      ...(r.specification ? { specification: { format: r.specification.format } } : {}),
    };
  return {
    op: c.op,
    kind: c.kind,
    key: c.key,
    ...(c.op === 'update' ? { fields: c.fields } : {}),
    ...(c.before && c.op === 'delete' ? { before: view(c.before) } : {}),
    ...(c.after && c.op !== 'delete' ? { after: view(c.after) } : {}),
  };
}

/** The change set as the JSON document `apimops diff --output json` prints. */
export function changeSetToJson(cs: ChangeSet, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { ...extra, summary: cs.summary, changes: cs.changes.map(changeToJson) };
}
