/**
 * API definitions in the fake: what an import (`PUT /apis/x` with `format`/`value`) stores, the operations it
 * creates, and what an export link serves. The fake keeps the imported text and serves it back verbatim in
 * its own format (so extract → publish → extract is byte-stable, as with real APIM for a spec it produced),
 * converting YAML ⇄ JSON when another OpenAPI flavour is asked for.
 */
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';

/** An imported definition, as stored. */
export interface StoredSpec {
  /** ARM ContentFormat of the import: `openapi`, `openapi+json`, `swagger-json`, `wsdl`, `wadl-xml`, `graphql`. */
  format: string;
  value: string;
}

export interface GeneratedOperation {
  name: string;
  properties: Record<string, unknown>;
}

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

/** Parses an OpenAPI/Swagger document (YAML or JSON); undefined if it is neither. */
export function parseOpenApi(spec: StoredSpec): Record<string, unknown> | undefined {
  if (!/^(openapi|openapi\+json|swagger-json)$/.test(spec.format)) return undefined;
  try {
    const doc = spec.format === 'openapi' ? parseYaml(spec.value) : JSON.parse(spec.value);
    return doc && typeof doc === 'object' ? (doc as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** A valid ARM operation name from an operationId, or a slug of method + path. */
function operationName(op: Record<string, unknown>, method: string, path: string): string {
  const id = typeof op.operationId === 'string' ? op.operationId : '';
  if (id !== '') return id;
  const slug = path.replace(/[{}]/g, '').replace(/[^A-Za-z0-9]+/g, '-').replace(/^-|-$/g, '').toLowerCase();
  return slug ? `${method}-${slug}` : method;
}

/** The operations APIM creates from an OpenAPI document. */
export function operationsFromSpec(doc: Record<string, unknown>): GeneratedOperation[] {
  const ops: GeneratedOperation[] = [];
  const paths = (doc.paths ?? {}) as Record<string, Record<string, unknown>>;
  for (const [path, item] of Object.entries(paths)) {
    if (!item || typeof item !== 'object') continue;
    for (const method of METHODS) {
      const op = item[method] as Record<string, unknown> | undefined;
      if (!op || typeof op !== 'object') continue;
      const templateParameters = [...path.matchAll(/\{([^}]+)\}/g)].map((m) => ({ name: m[1], required: true, type: 'string', values: [] }));
      const responses = Object.entries((op.responses ?? {}) as Record<string, { description?: string }>).map(([code, r]) => ({
        statusCode: Number(code) || 200,
        description: r?.description ?? '',
        representations: [],
        headers: [],
      }));
      ops.push({
        name: operationName(op, method, path),
        properties: {
          displayName: typeof op.summary === 'string' ? op.summary : typeof op.operationId === 'string' ? op.operationId : `${method.toUpperCase()} ${path}`,
          method: method.toUpperCase(),
          urlTemplate: path,
          templateParameters,
          ...(typeof op.description === 'string' ? { description: op.description } : {}),
          request: { queryParameters: [], headers: [], representations: [] },
          responses,
        },
      });
    }
  }
  return ops;
}

/** An OpenAPI 3 document generated from an API and its operations (APIM exports one for any HTTP API). */
export function specFromOperations(api: Record<string, unknown>, operations: { name: string; properties: Record<string, unknown> }[]): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const op of operations) {
    const url = String(op.properties.urlTemplate ?? '/');
    const method = String(op.properties.method ?? 'GET').toLowerCase();
    (paths[url] ??= {})[method] = {
      operationId: op.name,
      summary: op.properties.displayName,
      responses: { '200': { description: 'OK' } },
    };
  }
  return {
    openapi: '3.0.1',
    info: { title: api.displayName ?? '', ...(api.description ? { description: api.description } : {}), version: '1.0' },
    paths,
  };
}

/** Export formats (`format=` of `?export=true`) → the `format` field of the ExportResult. */
export const EXPORT_RESULT_FORMATS: Readonly<Record<string, string>> = {
  'openapi-link': 'openapi-link',
  'openapi+json-link': 'openapi+json-link',
  'swagger-link': 'swagger-link-json',
  'wsdl-link': 'wsdl-link+xml',
  'wadl-link': 'wadl-link-json',
};

/**
 * The document an export link serves, or an error message when the API cannot be exported in that format.
 * `generated` is used for HTTP APIs that were created without an imported definition.
 */
export function exportDocument(
  spec: StoredSpec | undefined,
  exportFormat: string,
  generated: () => Record<string, unknown>,
): { content: string } | { error: string } {
  const wantYaml = exportFormat === 'openapi-link';
  const wantJson = exportFormat === 'openapi+json-link' || exportFormat === 'swagger-link';
  if (exportFormat === 'wsdl-link') {
    return spec?.format === 'wsdl' || spec?.format === 'wsdl-link' ? { content: spec.value } : { error: 'WSDL export is only available for SOAP APIs.' };
  }
  if (exportFormat === 'wadl-link') {
    return spec?.format === 'wadl-xml' ? { content: spec.value } : { error: 'WADL export is not available for this API.' };
  }
  if (!wantYaml && !wantJson) return { error: `Export format '${exportFormat}' is not supported.` };
  if (spec && (spec.format === 'wsdl' || spec.format === 'graphql')) return { error: `An API imported as ${spec.format} cannot be exported as ${exportFormat}.` };
  if (spec && spec.format === (wantYaml ? 'openapi' : 'openapi+json')) return { content: spec.value };
  const doc = (spec && parseOpenApi(spec)) ?? generated();
  return { content: wantYaml ? stringifyYaml(doc) : `${JSON.stringify(doc, null, 2)}\n` };
}
