import { firstSentence } from '../docs.js';
import type { FormatInput } from './types.js';

const LEVEL = { error: 'error', warn: 'warning', info: 'note' } as const;

/**
 * SARIF 2.1.0 (what GitHub code scanning and Azure DevOps read): one run, every rule that ran in
 * `tool.driver.rules` with its description and help, one result per finding with a region. File URIs are
 * relative to `%SRCROOT%` (the folder lint was run from).
 */
export function sarif({ findings, rules, version }: FormatInput): string {
  const index = new Map(rules.map((r, i) => [r.id, i]));
  const doc = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'apimops',
            ...(version ? { version, semanticVersion: version } : {}),
            rules: rules.map((r) => ({
              id: r.id,
              name: r.id.replace(/(^|-)([a-z])/g, (_m, _d, c: string) => c.toUpperCase()),
              shortDescription: { text: firstSentence(r.description) },
              fullDescription: { text: r.description },
              help: { text: r.help, markdown: helpMarkdown(r.help, r.example) },
              defaultConfiguration: { level: LEVEL[r.defaultSeverity] },
            })),
          },
        },
        originalUriBaseIds: { '%SRCROOT%': { uri: './' } },
        results: findings.map((f) => ({
          ruleId: f.ruleId,
          ...(index.has(f.ruleId) ? { ruleIndex: index.get(f.ruleId)! } : {}),
          level: LEVEL[f.severity],
          message: { text: f.message },
          locations: [
            {
              physicalLocation: {
                artifactLocation: { uri: encodeURI(f.file), uriBaseId: '%SRCROOT%' },
                region: { startLine: f.line, startColumn: f.column },
              },
            },
          ],
        })),
      },
    ],
  };
  return `${JSON.stringify(doc, null, 2)}\n`;
}

function helpMarkdown(help: string, example?: { bad: string; good: string }): string {
  if (!example) return help;
  return `${help}\n\nInstead of:\n\n\`\`\`xml\n${example.bad}\n\`\`\`\n\nwrite:\n\n\`\`\`xml\n${example.good}\n\`\`\``;
}
