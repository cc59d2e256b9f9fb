/**
 * Secrets at publish time (ARTIFACT-FORMAT.md "Secrets"): `{#TOKEN#}` placeholders in the target state
 * (usually from `configuration.<env>.yaml`) are filled from environment variables of the same name, Key Vault
 * references (`keyVault.secretIdentifier`) pass through untouched, and a secret that has no value from
 * anywhere fails the publish before the first write: all missing ones are listed at once, each with the
 * file and position of its placeholder when it is known.
 */
import type { Resource } from '../artifacts/model.js';
import type { Change } from '../diff/diff.js';
import { DiagnosticsError, type Diagnostic } from '../shared/errors.js';

const PLACEHOLDER = /\{#\s*([A-Za-z_][A-Za-z0-9_.-]*)\s*#\}/g;

/** A text file where placeholders may be written (to point at the line of a missing one). */
export interface PlaceholderSource {
  file: string;
  text: string;
}

/** Every placeholder name used in a value. */
export function placeholdersIn(value: unknown, out = new Set<string>()): Set<string> {
  if (typeof value === 'string') for (const m of value.matchAll(PLACEHOLDER)) out.add(m[1]!);
  else if (Array.isArray(value)) for (const v of value) placeholdersIn(v, out);
  else if (value && typeof value === 'object') for (const v of Object.values(value)) placeholdersIn(v, out);
  return out;
}

function fill(value: unknown, env: NodeJS.ProcessEnv): unknown {
  if (typeof value === 'string') return value.replace(PLACEHOLDER, (_, name: string) => env[name] ?? '');
  if (Array.isArray(value)) return value.map((v) => fill(v, env));
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = fill(v, env);
    return out;
  }
  return value;
}

function locate(name: string, sources: readonly PlaceholderSource[], fallbackFile?: string): Partial<Diagnostic> {
  for (const s of sources) {
    const re = new RegExp(`\\{#\\s*${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s*#\\}`);
    const lines = s.text.split('\n');
    for (let i = 0; i < lines.length; i++) {
      const m = re.exec(lines[i]!);
      if (m) return { file: s.file, line: i + 1, column: m.index + 1 };
    }
  }
  return fallbackFile ? { file: fallbackFile } : {};
}

function isSecretNamedValueWithoutValue(r: Resource): boolean {
  if (r.kind !== 'namedValue' || r.properties.secret !== true) return false;
  const kv = r.properties.keyVault as { secretIdentifier?: unknown } | undefined;
  return (r.properties.value === undefined || r.properties.value === '') && !kv?.secretIdentifier;
}

/**
 * Returns the changes with placeholders filled from `env`; throws a `DiagnosticsError` (exit 2, nothing
 * written) listing every missing variable and every new secret named value without a value or Key Vault
 * reference. Updates of a secret whose value is not supplied keep the stored value (see `arm/apply.ts`).
 */
export function resolveSecrets(changes: readonly Change[], env: NodeJS.ProcessEnv, sources: readonly PlaceholderSource[] = []): Change[] {
  const problems: Diagnostic[] = [];
  const reported = new Set<string>();
  const out = changes.map((c) => {
    if (!c.after) return c;
    const names = placeholdersIn(c.after.properties);
    if (c.after.policy) placeholdersIn(c.after.policy.text, names);
    for (const name of names) {
      if (env[name] !== undefined || reported.has(name)) continue;
      reported.add(name);
      problems.push({
        ...locate(name, sources, c.after.origin?.file),
        message: `environment variable ${name} is not set: it supplies {#${name}#} for ${c.key}`,
      });
    }
    if (c.op === 'create' && isSecretNamedValueWithoutValue(c.after)) {
      problems.push({
        ...(c.after.origin ? { file: c.after.origin.file } : {}),
        message: `secret named value ${c.key} has no value: set properties.value (e.g. "{#TOKEN#}") or keyVault.secretIdentifier in the environment's overrides`,
      });
    }
    if (names.size === 0) return c;
    const after: Resource = { ...c.after, properties: fill(c.after.properties, env) as Record<string, unknown> };
    if (c.after.policy) after.policy = { ...c.after.policy, text: fill(c.after.policy.text, env) as string };
    return { ...c, after };
  });
  if (problems.length > 0) {
    throw new DiagnosticsError('E_CONFIG', `${problems.length} secret${problems.length === 1 ? '' : 's'} missing: nothing was published`, problems);
  }
  return out;
}
