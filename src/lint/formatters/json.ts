import type { FormatInput } from './types.js';

/**
 * One JSON document: `{ findings: [...], summary: { errors, warnings, infos, files } }`, each finding
 * `{ ruleId, severity, message, file, line, column, resource? }`. Stable key order, 2-space indent.
 */
export function json({ findings, files }: FormatInput): string {
  const count = (s: string) => findings.filter((f) => f.severity === s).length;
  const doc = {
    findings: findings.map((f) => ({
      ruleId: f.ruleId,
      severity: f.severity,
      message: f.message,
      file: f.file,
      line: f.line,
      column: f.column,
      ...(f.resource ? { resource: f.resource } : {}),
    })),
    summary: { errors: count('error'), warnings: count('warn'), infos: count('info'), files: files.length },
  };
  return `${JSON.stringify(doc, null, 2)}\n`;
}
