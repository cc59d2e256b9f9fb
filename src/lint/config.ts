import type { LoadedConfig } from '../artifacts/config.js';
import { UserError } from '../shared/errors.js';
import { unknownRuleIds } from './engine.js';
import { SEVERITIES, type LintSettings, type Severity } from './types.js';

/**
 * Lint settings from `apimops.yaml` (`lint.rules`, `lint.gateways`, `lint.failSeverity`, `lint.format`,
 * `lint.ignore`), already schema-checked by `loadConfig`.
 */
export interface LintConfig {
  rules: Record<string, Severity>;
  settings: LintSettings;
  failSeverity?: 'error' | 'warn' | 'info';
  format?: string;
  ignore: string[];
}

export function lintConfigOf(loaded: LoadedConfig): LintConfig {
  const lint = (loaded.config.lint ?? {}) as NonNullable<LoadedConfig['config']['lint']> & {
    gateways?: Record<string, { externalCache?: boolean }>;
  };
  const rules = { ...(lint.rules ?? {}) };
  const unknown = unknownRuleIds(rules);
  if (unknown.length > 0) {
    throw new UserError('E_CONFIG', `${loaded.file ?? 'apimops.yaml'}: lint.rules names unknown rule${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')}`, {
      hint: 'run `apimops lint --help` for the list of rules',
    });
  }
  const externalCacheGateways = Object.entries(lint.gateways ?? {})
    .filter(([, g]) => g?.externalCache === true)
    .map(([name]) => name)
    .sort();
  return {
    rules,
    settings: { externalCacheGateways },
    ...(lint.failSeverity ? { failSeverity: lint.failSeverity } : {}),
    ...(lint.format ? { format: lint.format } : {}),
    ignore: lint.ignore ?? [],
  };
}

/** Parses `--rule id=severity` flags (repeatable) into a severity map; bad input is a usage error. */
export function parseRuleFlags(flags: readonly string[]): Record<string, Severity> {
  const out: Record<string, Severity> = {};
  for (const flag of flags) {
    const m = /^([a-z0-9-]+)=([a-z]+)$/.exec(flag.trim());
    if (!m || !(SEVERITIES as readonly string[]).includes(m[2]!)) {
      throw new UserError('E_USAGE', `--rule ${flag}: expected <rule-id>=<${SEVERITIES.join('|')}>`);
    }
    out[m[1]!] = m[2] as Severity;
  }
  const unknown = unknownRuleIds(out);
  if (unknown.length > 0) throw new UserError('E_USAGE', `--rule: unknown rule ${unknown.join(', ')}`, { hint: 'run `apimops lint --help` for the list of rules' });
  return out;
}

/** A `lint.ignore` glob (`**`, `*`, `?`) as a regular expression over `/`-separated relative paths. */
export function globToRegExp(glob: string): RegExp {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === '*' && glob[i + 1] === '*') {
      re += glob[i + 2] === '/' ? '(?:.*/)?' : '.*';
      i += glob[i + 2] === '/' ? 2 : 1;
    } else if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else re += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}
