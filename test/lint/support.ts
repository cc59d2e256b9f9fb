import { expect, it } from 'vitest';
import type { FileSource } from '../../src/artifacts/file-source.js';
import { ruleById } from '../../src/lint/rules/index.js';
import { lintSource } from '../../src/lint/run.js';
import type { Finding, LintSettings } from '../../src/lint/types.js';

/** A FileSource over an in-memory map of relative paths → text (the reader runs unchanged on it). */
export function memorySource(files: Record<string, string>, description = 'memory'): FileSource {
  return {
    description,
    listFiles: async () => Object.keys(files).sort(),
    readText: async (p) => files[p],
  };
}

/** A small, valid artifact folder: a global policy with a JWT check and forward-request, API `orders`. */
export const BASE_FOLDER: Readonly<Record<string, string>> = {
  'policy.xml': `<policies>
  <inbound>
    <validate-jwt header-name="Authorization" clock-skew="60">
      <openid-config url="https://login.microsoftonline.com/{{TenantId}}/v2.0/.well-known/openid-configuration" />
    </validate-jwt>
  </inbound>
  <backend>
    <forward-request />
  </backend>
  <outbound />
  <on-error />
</policies>
`,
  'namedValues/tenant-id/namedValue.yaml': 'displayName: TenantId\nsecret: false\nvalue: t\n',
  'apis/orders/api.yaml': 'displayName: Orders\npath: orders\nprotocols:\n  - https\nsubscriptionRequired: true\n',
};

/** A policy for API `orders`, wrapped in all four sections with <base />, with `inbound` content. */
export function apiPolicy(inbound: string, more: { backend?: string; outbound?: string } = {}): string {
  return `<policies>
  <inbound>
    <base />
${inbound}
  </inbound>
  <backend>
    ${more.backend ?? '<base />'}
  </backend>
  <outbound>
    ${more.outbound ?? '<base />'}
  </outbound>
  <on-error>
    <base />
  </on-error>
</policies>
`;
}

export interface RuleCase {
  name: string;
  /** Files added to (or replacing those of) BASE_FOLDER; `null` removes a base file. */
  files: Record<string, string | null>;
  settings?: LintSettings;
  /** Expected findings of the rule under test: `file:line:column: message`. */
  findings: string[];
}

/** Lints `files` (merged over BASE_FOLDER) with only `ruleId` enabled; findings as `file:line:column: message`. */
export async function lintWithRule(ruleId: string, files: Record<string, string | null>, settings: LintSettings = {}): Promise<string[]> {
  const rule = ruleById(ruleId);
  if (!rule) throw new Error(`no rule ${ruleId}`);
  const merged: Record<string, string> = { ...BASE_FOLDER };
  for (const [k, v] of Object.entries(files)) {
    if (v === null) delete merged[k];
    else merged[k] = v;
  }
  const result = await lintSource(memorySource(merged), { ruleSet: [rule], settings });
  expect(result.ruleErrors).toEqual([]);
  return result.findings.map((f: Finding) => `${f.file}:${f.line}:${f.column}: ${f.message}`);
}

/**
 * Spectral-style table test for one rule: every case lints a folder and pins the findings (file, line,
 * column and message). Each rule's table has at least one passing and one failing case.
 */
export function testRule(ruleId: string, cases: RuleCase[]): void {
  expect(cases.some((c) => c.findings.length === 0), `${ruleId}: needs a passing case`).toBe(true);
  expect(cases.some((c) => c.findings.length > 0), `${ruleId}: needs a failing case`).toBe(true);
  for (const c of cases) {
    it(c.name, async () => {
      expect(await lintWithRule(ruleId, c.files, c.settings)).toEqual(c.findings);
    });
  }
}
