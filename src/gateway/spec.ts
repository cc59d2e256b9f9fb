/**
 * Operations of an API from its definition file (OpenAPI 2 or 3, JSON or YAML), the way APIM imports them:
 * one operation per path × method, named by `operationId` (else `<method>-<path>` slug), URL template = the
 * path (POLICY-ENGINE.md §4.2).
 */
import { parse as parseYaml } from 'yaml';

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;

/** One operation as the gateway routes it. */
export interface OperationDef {
  name: string;
  displayName: string;
  method: string;
  urlTemplate: string;
  /** The OpenAPI operation object (with path-level parameters merged in), or the ARM operation properties. */
  definition: Record<string, unknown>;
}

/** Parses a specification file's text (JSON or YAML). Throws `Error` with a message on bad input. */
export function parseSpecification(content: string): Record<string, unknown> {
  const trimmed = content.trimStart();
  const doc: unknown = trimmed.startsWith('{') ? JSON.parse(content) : parseYaml(content);
  if (!doc || typeof doc !== 'object' || Array.isArray(doc)) throw new Error('the specification is not an object');
  return doc as Record<string, unknown>;
}

/** Operations of a parsed OpenAPI 2/3 document, in file order. */
export function operationsFromOpenApi(doc: Record<string, unknown>): OperationDef[] {
  const paths = doc.paths;
  if (!paths || typeof paths !== 'object') return [];
  const out: OperationDef[] = [];
  for (const [path, item] of Object.entries(paths as Record<string, unknown>)) {
    if (!item || typeof item !== 'object') continue;
    const pathItem = item as Record<string, unknown>;
    const shared = Array.isArray(pathItem.parameters) ? (pathItem.parameters as unknown[]) : [];
    for (const m of METHODS) {
      const op = pathItem[m];
      if (!op || typeof op !== 'object') continue;
      const opObj = op as Record<string, unknown>;
      const own = Array.isArray(opObj.parameters) ? (opObj.parameters as unknown[]) : [];
      const name = typeof opObj.operationId === 'string' && opObj.operationId ? opObj.operationId : slug(`${m}-${path}`);
      out.push({
        name,
        displayName: typeof opObj.summary === 'string' ? opObj.summary : name,
        method: m.toUpperCase(),
        urlTemplate: path.startsWith('/') ? path : `/${path}`,
        definition: { ...opObj, parameters: [...shared, ...own] },
      });
    }
  }
  return out;
}

function slug(s: string): string {
  return s.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');
}

/**
 * Follows a local `$ref` (`#/components/schemas/X`, `#/definitions/X`) in `doc`; returns the value itself
 * when it is not a reference, undefined when the reference does not resolve.
 */
export function resolveRef(doc: Record<string, unknown>, value: unknown): unknown {
  let v = value;
  for (let hops = 0; hops < 20 && v && typeof v === 'object' && typeof (v as Record<string, unknown>).$ref === 'string'; hops++) {
    const ref = (v as Record<string, unknown>).$ref as string;
    if (!ref.startsWith('#/')) return undefined;
    let cur: unknown = doc;
    for (const part of ref.slice(2).split('/')) {
      const key = part.replace(/~1/g, '/').replace(/~0/g, '~');
      cur = cur && typeof cur === 'object' ? (cur as Record<string, unknown>)[key] : undefined;
    }
    v = cur;
  }
  return v;
}
