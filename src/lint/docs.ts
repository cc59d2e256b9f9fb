import { RULES } from './rules/index.js';
import type { LintRule } from './types.js';

const SEVERITY = { error: 'error', warn: 'warning', info: 'info' } as const;

/** The first sentence ("e.g." and "?." do not end one). */
export function firstSentence(text: string): string {
  return text.split(/(?<=\.)\s(?=[A-Z])/)[0]!;
}

/** Prose for Markdown: `<base />` and friends shown as text, not swallowed as HTML. */
const md = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/**
 * `docs/lint-rules.md`, rendered from the rule registry (id, default severity, description, fix, example),
 * so the documentation cannot drift from the rules: a test compares the file with this output.
 * Regenerate with `npx tsx -e "import('./src/lint/docs.ts').then(m => process.stdout.write(m.renderRulesMarkdown()))" > docs/lint-rules.md`.
 */
export function renderRulesMarkdown(rules: readonly LintRule[] = RULES): string {
  const out: string[] = [
    '# `apimops lint` rules',
    '',
    '<!-- Generated from src/lint/rules/ by renderRulesMarkdown() (src/lint/docs.ts); test/lint/docs.test.ts keeps it in sync. -->',
    '',
    '`apimops lint [<folder|file>…]` reads an artifact folder, parses every policy once (raw `rawxml` expressions',
    'included) and runs the rules below. Every finding has a file, line and column.',
    '',
    '- Severity per rule: `--rule <id>=error|warn|info|off` (repeatable), or in `apimops.yaml`:',
    '  `lint: { rules: { missing-base: error, validate-jwt-clock-skew: off } }` (the flag wins).',
    '- Exit code: 0 when no finding is at or above `--fail-severity` (default `error`, or `lint.failSeverity`), 1 when',
    '  one is, 2 for usage or configuration errors.',
    '- Formats: `--format stylish` (default), `json`, `sarif` (SARIF 2.1.0 for code scanning), `junit`, `github`',
    '  (workflow-command annotations); `--output-file <file>` writes the report to a file.',
    '- Silence one finding: put `<!-- apimops-disable-next-line <rule-id> [<rule-id>…] -->` on the line before it',
    '  (no rule id = every rule).',
    '- A file argument is linted in the context of its folder and only its findings are shown (what the pre-commit',
    '  hook in `templates/pre-commit/` does with the staged files). Loose `*.xml` files outside the layout are',
    '  linted on their own, without the rules that need the folder (undefined-*, self-hosted-*).',
    '- Self-hosted gateways: every `gateways/<name>/` is one; the APIs it serves are its `apis:` list. Whether its',
    '  deployment has an external (Redis) cache is not in APIM\'s model, so say so in `apimops.yaml`:',
    '  `lint: { gateways: { <name>: { externalCache: true } } }`.',
    '',
    '| Rule | Default | What it finds |',
    '|---|---|---|',
    ...rules.map((r) => `| [\`${r.id}\`](#${r.id}) | ${SEVERITY[r.defaultSeverity]} | ${md(firstSentence(r.description)).replace(/\|/g, '\\|')} |`),
    '',
  ];
  for (const r of rules) {
    out.push(`## ${r.id}`, '', `Default: **${SEVERITY[r.defaultSeverity]}**.`, '', md(r.description), '', `**Fix:** ${md(r.help)}`, '');
    if (r.example) {
      const lang = /^\s*#|^\w+:/m.test(r.example.good) && !r.example.good.trimStart().startsWith('<') ? 'yaml' : 'xml';
      out.push('Finding:', '', '```xml', r.example.bad, '```', '', 'Fixed:', '', `\`\`\`${lang}`, r.example.good, '```', '');
    }
  }
  out.push(
    '## Adding a rule',
    '',
    '1. `src/lint/rules/<rule-id>.ts` exports `rule = defineRule({ id, defaultSeverity, description, help, example, ... })` with',
    '   `create(ctx)` returning visitors: `policy(site)` for each policy element and `expression(site)` for each `@(…)`/`@{…}`,',
    '   called in one walk shared by every rule; `batch({ units, apis })` for a rule that relates policies (composition,',
    '   references: `ctx.model` has the scope chains, the state and `elementsNamed` for the batch); `end()` to report what it',
    '   gathered across batches. A large folder is linted one API at a time as it is read (each API\'s policies and operations',
    '   in a batch, then the global, product, workspace and fragment policies in the last one), so keep nothing that holds a',
    '   document across batches. `check(ctx)` runs once at the end, for the run\'s diagnostics. All report with',
    '   `ctx.report(unit, pos, message)`.',
    '2. One line in `src/lint/rules/index.ts`.',
    '3. `test/lint/rules/<rule-id>.test.ts`: `testRule(id, cases)` with a passing and a failing case, positions pinned.',
    '4. Regenerate this file (command at the top of `src/lint/docs.ts`); `test/lint/docs.test.ts` checks it.',
    '',
  );
  return out.join('\n');
}
