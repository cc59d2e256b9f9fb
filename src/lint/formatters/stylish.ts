import type { FormatInput } from './types.js';

const paint = (on: boolean | undefined, code: string, s: string) => (on ? `\u001b[${code}m${s}\u001b[0m` : s);
const LABEL = { error: 'error', warn: 'warning', info: 'info' } as const;
const COLOR = { error: '31', warn: '33', info: '36' } as const;

/**
 * The default human format (ESLint/Spectral "stylish"): findings grouped by file, one aligned line each,
 * then a summary. Prints nothing when there are no findings.
 */
export function stylish({ findings, color }: FormatInput): string {
  if (findings.length === 0) return '';
  const out: string[] = [];
  const byFile = new Map<string, typeof findings[number][]>();
  for (const f of findings) byFile.set(f.file, [...(byFile.get(f.file) ?? []), f]);
  const posWidth = Math.max(...findings.map((f) => `${f.line}:${f.column}`.length));
  const sevWidth = Math.max(...findings.map((f) => LABEL[f.severity].length));
  for (const [file, list] of byFile) {
    out.push(paint(color, '4', file));
    for (const f of list) {
      const pos = `${f.line}:${f.column}`.padEnd(posWidth);
      const sev = paint(color, COLOR[f.severity], LABEL[f.severity].padEnd(sevWidth));
      out.push(`  ${paint(color, '2', pos)}  ${sev}  ${f.message}  ${paint(color, '2', f.ruleId)}`);
    }
    out.push('');
  }
  const n = (s: 'error' | 'warn' | 'info') => findings.filter((f) => f.severity === s).length;
  const [e, w, i] = [n('error'), n('warn'), n('info')];
  const plural = (k: number, word: string) => `${k} ${word}${k === 1 ? '' : 's'}`;
  const summary = `✖ ${plural(findings.length, 'problem')} (${plural(e, 'error')}, ${plural(w, 'warning')}, ${plural(i, 'info')})`;
  out.push(paint(color, e > 0 ? '31;1' : '33;1', summary));
  return `${out.join('\n')}\n`;
}
