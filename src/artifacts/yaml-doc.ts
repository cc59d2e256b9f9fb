/**
 * YAML with positions: parse a file keeping a `LineCounter`, find the position of any property path, and turn
 * ajv errors into `file:line:column: message` diagnostics that name the field.
 */
import { createRequire } from 'node:module';
import type { Document, LineCounter, Node } from 'yaml';
import type { ErrorObject } from 'ajv';
import type { Diagnostic } from '../shared/errors.js';
import { NOT_SIMPLE, parseSimpleYaml } from './fast-yaml.js';
import { editDistance } from '../shared/text.js';

let yamlModule: typeof import('yaml') | undefined;

/**
 * The `yaml` package, loaded on first use: information files go through the fast path (fast-yaml.ts), and the full
 * parser (~80 modules) is needed only for a file outside it, or for a position to report. Most commands on
 * most folders never load it.
 */
export function yamlLibrary(): typeof import('yaml') {
  return (yamlModule ??= createRequire(import.meta.url)('yaml') as typeof import('yaml'));
}

/** A parsed YAML file that can say where anything in it is. */
export interface YamlFile {
  file: string;
  doc: Document;
  lines: LineCounter;
  /** The plain JS value, or undefined when the file had syntax errors. */
  value: unknown;
}

/** Parses YAML; syntax errors become diagnostics (all of them, with positions). */
export function parseYamlFile(file: string, text: string): { yaml: YamlFile; diagnostics: Diagnostic[] } {
  // Most files are simple block YAML: read the value directly and build the document (positions) only if
  // someone asks for a position — which happens only when there is something to report.
  const simple = parseSimpleYaml(text);
  if (simple !== NOT_SIMPLE) return { yaml: lazyYamlFile(file, text, simple), diagnostics: [] };
  const { doc, lines } = fullParse(text);
  const diagnostics: Diagnostic[] = [];
  for (const e of doc.errors) {
    const p = lines.linePos(e.pos[0]);
    diagnostics.push({ file, line: p.line, column: p.col, severity: 'error', code: 'yaml-syntax', message: firstLine(e.message) });
  }
  const value = diagnostics.length === 0 ? doc.toJS({ maxAliasCount: 100 }) : undefined;
  return { yaml: { file, doc, lines, value }, diagnostics };
}

function fullParse(text: string): { doc: Document; lines: LineCounter } {
  const { LineCounter, parseDocument } = yamlLibrary();
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true, keepSourceTokens: false });
  return { doc, lines };
}

/**
 * A `YamlFile` whose document and line table are parsed on first use. A class, not an object literal with
 * getters: a literal's getters are new closures each time, which gave each of a large folder's 12,000 files
 * a closure context, three functions and a hidden class of its own, all kept while the folder is read.
 */
class LazyYamlFile implements YamlFile {
  private full?: { doc: Document; lines: LineCounter };
  constructor(
    readonly file: string,
    private readonly text: string,
    readonly value: unknown,
  ) {}
  get doc(): Document {
    return (this.full ??= fullParse(this.text)).doc;
  }
  get lines(): LineCounter {
    return (this.full ??= fullParse(this.text)).lines;
  }
}

function lazyYamlFile(file: string, text: string, value: unknown): YamlFile {
  return new LazyYamlFile(file, text, value);
}

function firstLine(s: string): string {
  return s.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '').replace(/; please use YAML\.parseAllDocuments\(\)$/, ' (one document per file)');
}

/** A path into a YAML value: property names and array indexes. */
export type YamlPath = readonly (string | number)[];

/**
 * The position of the node at `path` (its key when `key` is set and the last step is a property), falling
 * back to the nearest existing ancestor, then to the first line with content.
 */
export function positionOf(y: YamlFile, path: YamlPath, key = false): { line: number; column: number } {
  let node: unknown = y.doc.contents;
  let best: Node | undefined = isNode(node) ? node : undefined;
  let keyNode: Node | undefined;
  const { isMap, isPair, isScalar, isSeq } = yamlLibrary();
  for (const step of path) {
    keyNode = undefined;
    if (isMap(node)) {
      const pair = node.items.find((p) => isPair(p) && (isScalar(p.key) ? p.key.value : p.key) === step);
      if (!pair) break;
      keyNode = isNode(pair.key) ? pair.key : undefined;
      node = pair.value;
    } else if (isSeq(node) && typeof step === 'number') {
      node = node.items[step];
    } else {
      break;
    }
    if (isNode(node)) best = node;
    else if (keyNode) best = keyNode;
  }
  const target = key && keyNode ? keyNode : best;
  const offset = target?.range?.[0] ?? firstContentOffset(y);
  const p = y.lines.linePos(offset);
  return { line: p.line, column: p.col };
}

function isNode(x: unknown): x is Node {
  return typeof x === 'object' && x !== null && 'range' in x;
}

function firstContentOffset(y: YamlFile): number {
  return y.doc.contents?.range?.[0] ?? 0;
}

/** `a.b[0].c` for messages. */
export function formatPath(path: YamlPath): string {
  let out = '';
  for (const step of path) out += typeof step === 'number' ? `[${step}]` : out === '' ? step : `.${step}`;
  return out;
}

function pointerToPath(pointer: string): (string | number)[] {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((s) => (/^\d+$/.test(s) ? Number(s) : s));
}

/** The closest name by edit distance, when it is close enough to be a likely typo. */
export function didYouMean(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestD = Infinity;
  for (const c of candidates) {
    const d = editDistance(word.toLowerCase(), c.toLowerCase());
    if (d < bestD) {
      bestD = d;
      best = c;
    }
  }
  if (best !== undefined && bestD <= Math.max(2, Math.floor(word.length / 3))) return best;
  // Older spellings that extend a name (APIOps v6 `apiNames`, `productNames`, …): suggest the stem's name.
  const w = word.toLowerCase();
  return candidates.find((c) => {
    const stem = c.toLowerCase().replace(/s$/, '');
    return stem.length >= 3 && w.startsWith(stem);
  });
}


/** Turns ajv errors into diagnostics with positions and field names; one per problem, no duplicates. */
export function schemaDiagnostics(
  y: YamlFile,
  errors: readonly ErrorObject[],
  schemaPropertiesAt: (schemaPath: string) => string[],
  basePath: YamlPath = [],
): Diagnostic[] {
  const out: Diagnostic[] = [];
  const seen = new Set<string>();
  // anyOf/oneOf produce one error per branch plus a summary; the summary is enough.
  const branchy = errors.filter((e) => e.keyword === 'anyOf' || e.keyword === 'oneOf').map((e) => e.instancePath);
  for (const e of errors) {
    if (e.keyword !== 'anyOf' && e.keyword !== 'oneOf' && branchy.some((p) => e.instancePath.startsWith(p))) continue;
    const path = [...basePath, ...pointerToPath(e.instancePath)];
    const field = formatPath(path);
    let message: string;
    let at = positionOf(y, path);
    switch (e.keyword) {
      case 'additionalProperties': {
        const prop = String((e.params as { additionalProperty: string }).additionalProperty);
        const known = schemaPropertiesAt(e.schemaPath.replace(/\/additionalProperties$/, ''));
        const guess = didYouMean(prop, known);
        const full = formatPath([...path, prop]);
        message = `unknown property '${full}'${guess ? ` (did you mean '${guess}'?)` : ''}`;
        at = positionOf(y, [...path, prop], true);
        break;
      }
      case 'type':
        message = `'${field || '(document)'}' must be ${article((e.params as { type: string }).type)}`;
        break;
      case 'enum':
        message = `'${field}' must be one of: ${((e.params as { allowedValues: unknown[] }).allowedValues ?? []).join(', ')}`;
        break;
      case 'required': {
        const prop = (e.params as { missingProperty: string }).missingProperty;
        message = `missing required property '${formatPath([...path, prop])}'`;
        break;
      }
      case 'pattern':
        message = `'${field}' must match ${(e.params as { pattern: string }).pattern}`;
        break;
      case 'minimum':
      case 'maximum':
      case 'minLength':
      case 'maxLength':
      case 'minItems':
      case 'maxItems':
        message = `'${field}' ${e.message ?? 'is out of range'}`;
        break;
      case 'uniqueItems':
        message = `'${field}' must not list the same item twice`;
        break;
      case 'anyOf':
      case 'oneOf':
        message = `'${field}' has an unexpected shape`;
        break;
      default:
        message = `'${field}' ${e.message ?? 'is invalid'}`;
    }
    const id = `${at.line}:${at.column}:${message}`;
    if (seen.has(id)) continue;
    seen.add(id);
    out.push({ file: y.file, line: at.line, column: at.column, message, severity: 'error', code: 'schema' });
  }
  return out;
}

function article(type: string): string {
  if (type === 'object') return 'an object (a mapping)';
  if (type === 'array') return 'a list';
  if (type === 'integer') return 'an integer';
  return type;
}
