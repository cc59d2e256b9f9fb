import type { FormatInput } from './types.js';

const COMMAND = { error: 'error', warn: 'warning', info: 'notice' } as const;
/** Workflow-command escaping: data escapes %, CR, LF; properties also `:` and `,`. */
const data = (s: string) => s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
const prop = (s: string) => data(s).replace(/:/g, '%3A').replace(/,/g, '%2C');

/**
 * GitHub Actions workflow commands: one `::error file=…,line=…,col=…,title=…::message` per finding, which
 * GitHub shows as annotations on the pull request diff.
 */
export function github({ findings }: FormatInput): string {
  return findings
    .map((f) => `::${COMMAND[f.severity]} file=${prop(f.file)},line=${f.line},col=${f.column},title=${prop(`apimops ${f.ruleId}`)}::${data(f.message)}\n`)
    .join('');
}
