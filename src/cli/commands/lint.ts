import { statSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { dirname, isAbsolute, relative, resolve, sep } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { Option, type Command } from 'commander';
import { loadConfig, resolveArtifactsFolder } from '../../artifacts/config.js';
import { looksLikeApiops } from '../../artifacts/apiops-layout.js';
import { folderSource } from '../../artifacts/folder-source.js';
import { parseArtifactPath } from '../../artifacts/paths.js';
import { globToRegExp, lintConfigOf, parseRuleFlags } from '../../lint/config.js';
import { lintContextFiles, sourceOfFiles } from '../../lint/context.js';
import { compareFindings } from '../../lint/engine.js';
import { FORMATTERS, isFormatName } from '../../lint/formatters/index.js';
import { RULES } from '../../lint/rules/index.js';
import { lintSource } from '../../lint/run.js';
import { atLeast, type Finding } from '../../lint/types.js';
import { UserError } from '../../shared/errors.js';
import { EXIT_ERROR, EXIT_FINDINGS, EXIT_OK } from '../../shared/exit-codes.js';
import type { CommandModule } from '../command.js';
import { startedWithV8Flag } from '../relaunch.js';

/**
 * V8 flags for a lint run, set when the command starts (they apply to code compiled from then on). A lint is a
 * batch of a second or two in which TurboFan's concurrent compiles are a quarter of all CPU: without inlining
 * they are cheaper, and the code they make is fast enough for a run this short. `npm run bench -- lint`
 * (interleaved rounds, 2026-12-05): 0.92× the time at 500 APIs, 0.93× at 2,000, 0.99× at 4,000 (CPU 0.86–0.93×).
 * `apimops serve`, a long-running process, keeps V8's defaults. A flag given to node explicitly wins.
 */
export const LINT_V8_FLAGS: readonly string[] = ['--no-turbo-inlining'];

/** Applies LINT_V8_FLAGS to this process (the lint command, and the benchmark that measures it). */
export function tuneV8ForLint(): void {
  for (const flag of LINT_V8_FLAGS) {
    if (!startedWithV8Flag(flag.replace(/^--no-/, '--')) && !startedWithV8Flag(flag)) setFlagsFromString(flag);
  }
}

interface LintFlags {
  format?: string;
  outputFile?: string;
  failSeverity?: 'error' | 'warn' | 'info';
  rule: string[];
  quiet?: boolean;
}

const toPosix = (p: string) => p.split(sep).join('/');

/** What to lint: artifact folders, each with the files to report on (all when `only` is undefined). */
interface Target {
  root: string;
  only?: Set<string>;
}

/**
 * Folder arguments are linted whole. A file argument (the pre-commit hook passes changed files) is linted
 * in the context of its artifact folder — the configured `artifacts` folder when the file is inside it, else
 * the file's own folder — and only its findings are reported. Files that are not artifact files (not in
 * the layout, not policy XML) are skipped, so a hook can pass every staged file.
 */
function targetsOf(paths: readonly string[], cwd: string, defaultRoot: string): Target[] {
  if (paths.length === 0) return [{ root: defaultRoot }];
  const targets = new Map<string, Target>();
  for (const p of paths) {
    const abs = resolve(cwd, p);
    let isFile = false;
    try {
      isFile = statSync(abs).isFile();
    } catch {
      throw new UserError('E_IO', `no such file or folder: ${p}`);
    }
    if (!isFile) {
      targets.set(abs, { root: abs });
      continue;
    }
    const inDefault = !relative(defaultRoot, abs).startsWith('..') && !isAbsolute(relative(defaultRoot, abs));
    const root = inDefault ? defaultRoot : dirname(abs);
    const rel = toPosix(relative(root, abs));
    // Only artifact files are linted: the pre-commit hook passes every staged file (README, CI YAML…).
    if (!(inDefault && parseArtifactPath(rel)) && !rel.toLowerCase().endsWith('.xml')) continue;
    const t = targets.get(root) ?? { root, only: new Set<string>() };
    t.only?.add(rel);
    targets.set(root, t);
  }
  return [...targets.values()];
}

export const command: CommandModule = {
  examples: `Examples:
  apimops lint artifacts
  apimops lint artifacts --format sarif --output-file lint.sarif
  apimops lint --rule validate-jwt-clock-skew=off --fail-severity warn
  apimops lint artifacts/apis/payments-api/policy.xml      # one file, checked against its folder

Rules: ${RULES.map((r) => r.id).join(', ')}`,
  define(cmd: Command, io, setExit) {
    cmd
      .usage('[<folder|file>...] [--format stylish|json|sarif|junit|github] [--output-file <file>] [--fail-severity error|warn|info] [--rule <id>=<severity>]... [--quiet]')
      .argument('[paths...]', 'artifact folders, or files inside one (default: `artifacts` of apimops.yaml, else .)')
      .addOption(new Option('--format <format>', 'output format (default stylish, or lint.format of apimops.yaml)').choices(Object.keys(FORMATTERS)))
      .option('--output-file <file>', 'write the report to a file instead of stdout')
      .addOption(new Option('--fail-severity <severity>', 'exit 1 when a finding is at least this severe (default error)').choices(['error', 'warn', 'info']))
      .option('--rule <id=severity>', 'set a rule severity (error|warn|info|off); repeatable', (v: string, prev: string[]) => [...prev, v], [])
      .option('--quiet', 'report errors only')
      .action(async (paths: string[], flags: LintFlags, self: Command) => {
        tuneV8ForLint();
        const globals = self.optsWithGlobals<{ config?: string; color?: boolean }>();
        const loaded = loadConfig({ cwd: io.cwd, env: io.env, ...(globals.config ? { configPath: globals.config } : {}) });
        const config = lintConfigOf(loaded);
        const rules = { ...config.rules, ...parseRuleFlags(flags.rule) };
        const format = flags.format ?? config.format ?? 'stylish';
        if (!isFormatName(format)) throw new UserError('E_CONFIG', `lint.format: unknown format "${format}" (use ${Object.keys(FORMATTERS).join(', ')})`);
        const failSeverity = flags.failSeverity ?? config.failSeverity ?? 'error';
        const ignore = config.ignore.map(globToRegExp);

        const findings: Finding[] = [];
        const files: string[] = [];
        let ruleErrors = 0;
        for (const target of targetsOf(paths, io.cwd, resolveArtifactsFolder(loaded, io.cwd))) {
          const folder = folderSource(target.root, toPosix(relative(io.cwd, target.root)) || '.');
          // Files inside API folders (a pre-commit hook's usual staged set) need only their APIs and what is
          // outside apis/ as context, not the other APIs: the same findings for them, from a fraction of the reads.
          const listing = target.only ? await folder.listFiles() : undefined;
          const context = listing && target.only && !looksLikeApiops(listing) ? lintContextFiles(listing, target.only) : undefined;
          const source = context ? sourceOfFiles(folder, context) : folder;
          const result = await lintSource(source, { rules, settings: config.settings });
          for (const e of result.ruleErrors) io.stderr(`apimops lint: rule ${e.ruleId} crashed (a bug, please report): ${e.message}\n`);
          ruleErrors += result.ruleErrors.length;
          // Paths from the cwd: the folder's prefix once, then each listed path (already relative, `/`-separated and
          // normal) after it — `relative(cwd, resolve(root, f))` for each of a large folder's files cost ~0.2 s.
          const prefix = toPosix(relative(io.cwd, target.root));
          const display = (f: string) => (prefix === '' ? f : f === '.' ? prefix : `${prefix}/${f}`);
          const keep = (f: string) => (!target.only || target.only.has(f)) && !ignore.some((re) => re.test(f));
          for (const f of result.findings) if (keep(f.file)) findings.push({ ...f, file: display(f.file) });
          for (const f of await source.listFiles()) if (keep(f)) files.push(display(f));
        }
        const shown = (flags.quiet ? findings.filter((f) => f.severity === 'error') : findings).sort(compareFindings);
        const text = FORMATTERS[format]({ findings: shown, rules: RULES, files, color: format === 'stylish' && !flags.outputFile && globals.color !== false && io.color });
        if (flags.outputFile) await writeFile(resolve(io.cwd, flags.outputFile), text, 'utf8');
        else io.stdout(text);
        if (!flags.quiet && (format !== 'stylish' || flags.outputFile)) {
          const e = findings.filter((f) => f.severity === 'error').length;
          io.stderr(`apimops lint: ${findings.length} problem${findings.length === 1 ? '' : 's'} (${e} error${e === 1 ? '' : 's'}) in ${files.length} file${files.length === 1 ? '' : 's'}\n`);
        }
        if (ruleErrors > 0) setExit(EXIT_ERROR);
        else setExit(findings.some((f) => atLeast(f.severity, failSeverity)) ? EXIT_FINDINGS : EXIT_OK);
      });
  },
};
