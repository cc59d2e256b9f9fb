/**
 * Operations of an API that has a specification come from the specification (ARTIFACT-FORMAT.md), as APIM's
 * import does: one operation per path × method, named by `operationId`. Only the fields routing needs are
 * derived (displayName, method, urlTemplate, description); the specification file stays the source of truth.
 */
import { yamlLibrary } from './yaml-doc.js';
import type { SpecificationFormat } from './model.js';

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;

/** One operation derived from a specification. */
export interface DerivedOperation {
  name: string;
  properties: { displayName: string; method: string; urlTemplate: string; description?: string };
}

/**
 * The operations of an OpenAPI (2 or 3, YAML or JSON) definition; empty for GraphQL/WSDL or a definition that
 * does not parse (the reader reports that separately).
 */
export function operationsFromSpecification(format: SpecificationFormat, content: string): DerivedOperation[] {
  return analyzeSpecification(format, content).operations;
}

/** Parses a definition once: its operations, or the syntax error that stopped it. */
export function analyzeSpecification(format: SpecificationFormat, content: string): { operations: DerivedOperation[]; error?: string } {
  if (format !== 'openapi+yaml' && format !== 'openapi+json') return { operations: [] };
  let doc: unknown;
  try {
    doc = format === 'openapi+json' ? JSON.parse(content) : yamlLibrary().parse(content);
  } catch (err) {
    return { operations: [], error: (err as Error).message.split('\n')[0] };
  }
  return { operations: operationsOf(doc) };
}

function operationsOf(doc: unknown): DerivedOperation[] {
  const paths = (doc as { paths?: unknown } | null)?.paths;
  if (!paths || typeof paths !== 'object') return [];
  const out: DerivedOperation[] = [];
  for (const [path, item] of Object.entries(paths as Record<string, unknown>)) {
    if (!item || typeof item !== 'object') continue;
    for (const method of METHODS) {
      const op = (item as Record<string, unknown>)[method] as Record<string, unknown> | undefined;
      if (!op || typeof op !== 'object') continue;
      const name = typeof op.operationId === 'string' && op.operationId !== '' ? op.operationId : defaultName(method, path);
      const properties: DerivedOperation['properties'] = {
        displayName: typeof op.summary === 'string' && op.summary !== '' ? op.summary : name,
        method: method.toUpperCase(),
        urlTemplate: path,
      };
      if (typeof op.description === 'string') properties.description = op.description;
      out.push({ name, properties });
    }
  }
  return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** APIM's fallback name for an operation without operationId: method and path, in a name-safe form. */
function defaultName(method: string, path: string): string {
  const slug = path
    .replace(/[{}]/g, '')
    .replace(/[^A-Za-z0-9]+/g, '-')
    .replace(/^-|-$/g, '')
    .toLowerCase();
  return slug ? `${method}-${slug}` : method;
}

