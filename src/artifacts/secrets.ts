/**
 * Secrets are never printed (ARTIFACT-FORMAT.md "Secrets"): `maskSecrets` replaces every secret value of a
 * state with `***` for `render`, `diff` and `publish` output. A value that is only a `{{named value}}`
 * reference is not a secret and stays readable.
 */
import { SECRET_FIELDS, type ResourceKind } from './kinds.js';
import type { ApimState, Resource } from './model.js';

/** What a masked secret looks like. */
export const MASK = '***';

/**
 * Dotted paths of secret properties per kind (`SECRET_FIELDS` of kinds.ts, plus a backend proxy's password);
 * every string leaf under them is masked.
 */
const SECRET_PATHS: Partial<Record<ResourceKind, readonly string[]>> = {
  ...SECRET_FIELDS,
  backend: [...(SECRET_FIELDS.backend ?? []), 'proxy.password'],
};

const REFERENCE_ONLY = /^\{\{[A-Za-z0-9][A-Za-z0-9._-]*\}\}$/;

/** A copy of the state with secret values replaced by `***`. */
export function maskSecrets(state: ApimState): ApimState {
  const out = structuredClone(state) as ApimState;
  for (const kind of Object.keys(out) as ResourceKind[]) {
    for (const r of out[kind].values()) maskResource(r as Resource);
  }
  return out;
}

/** Masks one resource's secret properties in place. */
export function maskResource(r: Resource): void {
  if (r.kind === 'namedValue') {
    if (r.properties.secret === true && typeof r.properties.value === 'string') r.properties.value = MASK;
    return;
  }
  for (const path of SECRET_PATHS[r.kind] ?? []) {
    const steps = path.split('.');
    const last = steps.pop()!;
    let parent: unknown = r.properties;
    for (const s of steps) parent = (parent as Record<string, unknown> | undefined)?.[s];
    if (!parent || typeof parent !== 'object') continue;
    const p = parent as Record<string, unknown>;
    if (last in p) p[last] = maskValue(p[last]);
  }
}

function maskValue(v: unknown): unknown {
  if (typeof v === 'string') return REFERENCE_ONLY.test(v) ? v : MASK;
  if (Array.isArray(v)) return v.map(maskValue);
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, maskValue(x)]));
  return v;
}
