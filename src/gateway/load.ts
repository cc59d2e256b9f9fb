/**
 * Loads an `ApimState` into a runnable gateway configuration: APIs with their operations and routes,
 * products, subscriptions, backends, and one compiled pipeline per operation × product context
 * (POLICY-ENGINE.md §3.2, §4). Everything is parsed, substituted (named values, §2.4), inlined (fragments,
 * §3.3), composed (`<base/>`) and compiled here, once; a request only runs closures.
 */
import type { ApimState, Resource } from '../artifacts/model.js';
import type { Diagnostic } from '../shared/errors.js';
import { DEFAULT_GLOBAL_POLICY, composePolicies, inlineFragments, parsePolicyDocument, type PolicyDocument, type ScopePolicy } from '../policy/index.js';
import { compileElements, makeBlock, toScoped, type CompileEnv, type PlacedPolicy } from './compile.js';
import { GatewayLoadError } from './errors.js';
import type { ApiInfo, BackendConfig, CompiledBlock, OperationInfo, PolicyModule, Section } from './policies/types.js';
import { backendCertificate } from './policies/authentication-certificate.js';
import { Router, type RoutableApi, type RoutableOperation } from './router.js';
import { operationsFromOpenApi, parseSpecification, type OperationDef } from './spec.js';
import type { RuntimeApi, RuntimeOperation, RuntimeProduct, RuntimeSubscription } from './state.js';
import type { ExpressionCompiler } from './values.js';


/** A compiled pipeline: one block per section. */
export interface CompiledPipeline {
  readonly inbound: CompiledBlock;
  readonly backend: CompiledBlock;
  readonly outbound: CompiledBlock;
  readonly onError: CompiledBlock;
  /** Some expression reads the request body: buffer it before inbound runs. */
  readonly readsRequestBody: boolean;
  /** Some expression reads the response body: buffer it before outbound runs. */
  readonly readsResponseBody: boolean;
  /** Every placed policy by section (trace, tests). */
  readonly placed: Readonly<Record<Section, readonly PlacedPolicy[]>>;
}

export interface LoadedApi extends RoutableApi {
  readonly runtime: RuntimeApi;
  readonly operations: LoadedOperation[];
  readonly info: ApiInfo;
  /** Products that contain this API. */
  readonly products: RuntimeProduct[];
  /** on-error pipeline for "operation not found" (global → workspace → API). */
  readonly noOperation: CompiledPipeline;
}

export interface LoadedOperation extends RoutableOperation {
  readonly runtime: RuntimeOperation;
  /** Pipeline per product context: key `''` = no product. */
  readonly pipelines: Map<string, CompiledPipeline>;
}

/** A gateway configuration, ready to serve. */
export interface LoadedConfig {
  readonly apis: LoadedApi[];
  readonly router: Router<LoadedApi, LoadedOperation>;
  readonly products: Map<string, RuntimeProduct>;
  /** Subscription by key (primary and secondary). */
  readonly subscriptionsByKey: Map<string, RuntimeSubscription & { active: boolean }>;
  readonly backends: Map<string, BackendConfig>;
  readonly warnings: Diagnostic[];
}

export interface LoadOptions {
  registry: ReadonlyMap<string, PolicyModule>;
  compiler: ExpressionCompiler;
  /** `--backend name=url`: replaces a backend's URL (or an API's serviceUrl when the name is an API). */
  backendUrls?: ReadonlyMap<string, string>;
  /** Client certificates by name for authentication-certificate (`serve.certificates`, `--certificate`). */
  certificates?: ReadonlyMap<string, import('./state.js').ClientCertificate>;
  /** Match API protocols strictly (an https-only API then never answers on the local http listener). Default false. */
  strictProtocols?: boolean;
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}
function bool(v: unknown, dflt: boolean): boolean {
  return typeof v === 'boolean' ? v : dflt;
}
function fileOf(r: Resource, fallback: string): string {
  return r.policy?.origin?.file ?? r.origin?.file ?? fallback;
}

/** Loads a state into a gateway configuration; throws `GatewayLoadError` listing every problem. */
export function loadGateway(state: ApimState, options: LoadOptions): LoadedConfig {
  const diagnostics: Diagnostic[] = [];
  const warnings: Diagnostic[] = [];

  // Named values: referenced by display name (§2.4); the resource name works too.
  const namedValues = new Map<string, string>();
  for (const nv of state.namedValue.values()) {
    const value = str(nv.properties.value);
    if (value === undefined) continue;
    namedValues.set(nv.name, value);
    const display = str(nv.properties.displayName);
    if (display) namedValues.set(display, value);
  }

  // Backends, with --backend overrides.
  const backends = new Map<string, BackendConfig>();
  for (const b of state.backend.values()) {
    const url = options.backendUrls?.get(b.name) ?? str(b.properties.url) ?? '';
    // Named values may appear in backend credentials (`x-api-key: ["{{BackendApiKey}}"]`), as in APIM.
    const properties = substituteDeep(b.properties, (name) => {
      const v = namedValues.get(name);
      if (v === undefined) diagnostics.push({ file: b.origin?.file ?? `backends/${b.name}/backend.yaml`, message: `named value "${name}" is not defined (or has no value in this environment)`, severity: 'error' });
      return v;
    }) as Record<string, unknown>;
    const credentials = properties.credentials as Record<string, unknown> | undefined;
    const { certificate, missing } = backendCertificate(credentials, options.certificates);
    if (missing.length > 0) {
      warnings.push({
        file: b.origin?.file ?? `backends/${b.name}/backend.yaml`,
        message: `backend "${b.name}" presents the client certificate ${missing.map((m) => `"${m}"`).join(', ')} in APIM, which is not configured for serve (serve.certificates in apimops.yaml, or --certificate name=path): calls go without it`,
        severity: 'warn',
      });
    }
    backends.set(b.name, { name: b.name, url, protocol: str(b.properties.protocol) ?? 'http', properties, ...(certificate ? { clientCertificate: certificate } : {}) });
  }

  // Parse every policy document once.
  const parsed = new Map<string, PolicyDocument | undefined>();
  const parse = (r: Resource | undefined, fallbackFile: string): PolicyDocument | undefined => {
    if (!r?.policy) return undefined;
    if (parsed.has(r.key)) return parsed.get(r.key);
    const res = parsePolicyDocument(r.policy.text, fileOf(r, fallbackFile));
    diagnostics.push(...res.diagnostics.filter((d) => d.severity !== 'warn' && d.severity !== 'info'));
    parsed.set(r.key, res.document);
    return res.document;
  };
  const fragments = new Map<string, PolicyDocument>();
  for (const f of state.policyFragment.values()) {
    const doc = parse(f, `policyFragments/${f.name}/policy.xml`);
    if (doc) fragments.set(f.name, doc);
  }
  const withFragments = (doc: PolicyDocument | undefined): PolicyDocument | undefined => {
    if (!doc) return undefined;
    const { document, missing } = inlineFragments(doc, fragments);
    for (const m of missing) {
      diagnostics.push({ file: m.include.pos.file, line: m.include.pos.line, column: m.include.pos.column, message: `policy fragment "${m.fragmentId}" does not exist`, severity: 'error' });
    }
    return document;
  };

  const globalResource = state.servicePolicy.get('/policies/policy');
  const globalDoc = withFragments(
    globalResource ? parse(globalResource, 'policy.xml') : parsePolicyDocument(DEFAULT_GLOBAL_POLICY, '<default global policy>').document,
  );

  // Version sets.
  const versionSets = new Map<string, Resource>();
  for (const vs of state.versionSet.values()) versionSets.set(vs.key, vs);

  // Products.
  const products = new Map<string, RuntimeProduct>();
  for (const p of state.product.values()) {
    const apis = Array.isArray(p.properties.apis) ? (p.properties.apis as unknown[]).map(String) : [];
    products.set(p.key, {
      id: p.name,
      name: p.name,
      displayName: str(p.properties.displayName) ?? p.name,
      subscriptionRequired: bool(p.properties.subscriptionRequired, true),
      approvalRequired: bool(p.properties.approvalRequired, false),
      state: str(p.properties.state) ?? 'notPublished',
      subscriptionLimit: typeof p.properties.subscriptionsLimit === 'number' ? p.properties.subscriptionsLimit : undefined,
      apis,
      groups: Array.isArray(p.properties.groups) ? (p.properties.groups as unknown[]).map(String) : [],
    });
  }

  // Subscriptions by key.
  const subscriptionsByKey = new Map<string, RuntimeSubscription & { active: boolean }>();
  for (const s of state.subscription.values()) {
    const primary = str(s.properties.primaryKey);
    const secondary = str(s.properties.secondaryKey);
    const base = {
      id: s.name,
      name: s.name,
      displayName: str(s.properties.displayName) ?? s.name,
      primaryKey: primary ?? '',
      secondaryKey: secondary ?? '',
      scope: normaliseScope(str(s.properties.scope) ?? '/'),
      allowTracing: bool(s.properties.allowTracing, false),
      userId: str(s.properties.ownerId),
      active: (str(s.properties.state) ?? 'active').toLowerCase() === 'active',
    };
    if (primary) subscriptionsByKey.set(primary, { ...base, key: primary });
    if (secondary) subscriptionsByKey.set(secondary, { ...base, key: secondary });
    if (!primary && !secondary) {
      warnings.push({ file: s.origin?.file, message: `subscription "${s.name}" has no keys in this environment; it cannot be used`, severity: 'warn' });
    }
  }

  const env: CompileEnv = {
    registry: options.registry,
    compiler: options.compiler,
    namedValue: (n) => namedValues.get(n),
    config: { backends, api: undefined, operation: undefined, certificates: options.certificates },
    diagnostics,
    warnings,
    readsBody: { request: false, response: false },
  };

  const compilePipeline = (chain: ScopePolicy[], api: ApiInfo | undefined, operation: OperationInfo | undefined): CompiledPipeline => {
    const local: CompileEnv = { ...env, config: { backends, api, operation, certificates: options.certificates }, readsBody: { request: false, response: false } };
    const placed = {} as Record<Section, PlacedPolicy[]>;
    for (const section of ['inbound', 'backend', 'outbound', 'on-error'] as const) {
      placed[section] = compileElements(local, toScoped(composePolicies(chain, section)), section, '');
    }
    return {
      inbound: makeBlock(placed.inbound),
      backend: makeBlock(placed.backend),
      outbound: makeBlock(placed.outbound),
      onError: makeBlock(placed['on-error']),
      readsRequestBody: local.readsBody.request,
      readsResponseBody: local.readsBody.response,
      placed,
    };
  };

  const apis: LoadedApi[] = [];
  for (const a of state.api.values()) {
    const p = a.properties;
    const apiFile = a.origin?.file ?? `apis/${a.name}/api.yaml`;
    const baseName = a.name.replace(/;rev=\d+$/, '');
    const revision = str(p.apiRevision) ?? (/;rev=(\d+)$/.exec(a.name)?.[1] ?? '1');
    const isCurrent = bool(p.isCurrent, !/;rev=/.test(a.name));
    const path = (str(p.path) ?? '').replace(/^\/+|\/+$/g, '');
    const serviceUrl = options.backendUrls?.get(baseName) ?? str(p.serviceUrl);
    const protocols = Array.isArray(p.protocols) ? (p.protocols as unknown[]).map(String) : ['https'];
    const names = (p.subscriptionKeyParameterNames ?? {}) as Record<string, unknown>;

    let version: RoutableApi['version'];
    const vsId = str(p.apiVersionSetId);
    if (vsId) {
      const vs = versionSets.get(normaliseScope(vsId)) ?? [...versionSets.values()].find((v) => v.key.endsWith(`/${vsId.split('/').pop()}`));
      if (vs) {
        const scheme = (str(vs.properties.versioningScheme) ?? 'Segment') as 'Segment' | 'Header' | 'Query';
        version = {
          scheme,
          name: scheme === 'Header' ? str(vs.properties.versionHeaderName) : scheme === 'Query' ? str(vs.properties.versionQueryName) : undefined,
          id: str(p.apiVersion) ?? '',
          setKey: vs.key,
        };
      } else {
        diagnostics.push({ file: apiFile, message: `API "${a.name}" refers to version set ${vsId}, which does not exist`, severity: 'error' });
      }
    }

    // Operations: from the specification, else from operation resources.
    let defs: OperationDef[] = [];
    let specDoc: Record<string, unknown> | undefined;
    if (a.specification && (a.specification.format === 'openapi+json' || a.specification.format === 'openapi+yaml')) {
      try {
        specDoc = parseSpecification(a.specification.content);
        defs = operationsFromOpenApi(specDoc);
      } catch (e) {
        diagnostics.push({ file: a.specification.origin?.file ?? `apis/${a.name}/specification`, message: `the specification cannot be read: ${(e as Error).message}`, severity: 'error' });
      }
    }
    const opResources = [...state.apiOperation.values()].filter((o) => o.parent === a.key || o.key.startsWith(`${a.key}/operations/`));
    for (const o of opResources) {
      if (defs.some((d) => d.name === o.name)) continue;
      const method = str(o.properties.method);
      const urlTemplate = str(o.properties.urlTemplate);
      if (!method || !urlTemplate) {
        if (!specDoc) diagnostics.push({ file: o.origin?.file, message: `operation "${o.name}" needs method and urlTemplate`, severity: 'error' });
        continue;
      }
      defs.push({ name: o.name, displayName: str(o.properties.displayName) ?? o.name, method: method.toUpperCase(), urlTemplate, definition: o.properties });
    }

    const runtime: RuntimeApi = {
      id: baseName,
      name: baseName,
      displayName: str(p.displayName) ?? baseName,
      path,
      protocols,
      serviceUrl,
      revision,
      isCurrentRevision: isCurrent,
      version: str(p.apiVersion),
      subscriptionRequired: bool(p.subscriptionRequired, true),
      subscriptionKeyHeader: str(names.header) ?? 'Ocp-Apim-Subscription-Key',
      subscriptionKeyQuery: str(names.query) ?? 'subscription-key',
    };
    const info: ApiInfo = { name: baseName, path, serviceUrl, specification: specDoc };
    const wsDoc = a.workspace ? withFragments(parse(state.workspacePolicy.get(`/workspaces/${a.workspace}/policies/policy`), `workspaces/${a.workspace}/policy.xml`)) : undefined;
    const apiDoc = withFragments(parse(state.apiPolicy.get(`${a.key}/policies/policy`), `apis/${a.name}/policy.xml`));
    const apiProducts = [...state.product.values()]
      .filter((pr) => Array.isArray(pr.properties.apis) && (pr.properties.apis as unknown[]).map(String).some((n) => n === baseName || n === a.name))
      .map((pr) => ({ resource: pr, runtime: products.get(pr.key)! }));

    const operations: LoadedOperation[] = defs.map((d) => {
      const opKey = `${a.key}/operations/${d.name}`;
      const opDoc = withFragments(parse(state.apiOperationPolicy.get(`${opKey}/policies/policy`), `apis/${a.name}/operations/${d.name}/policy.xml`));
      const opInfo: OperationInfo = { name: d.name, method: d.method, urlTemplate: d.urlTemplate, definition: d.definition };
      const pipelines = new Map<string, CompiledPipeline>();
      const chainFor = (productDoc: PolicyDocument | undefined, productName: string | undefined): ScopePolicy[] => [
        { scope: 'global', document: globalDoc },
        ...(wsDoc ? [{ scope: `workspace ${a.workspace}`, document: wsDoc }] : []),
        ...(productName ? [{ scope: `product ${productName}`, document: productDoc }] : []),
        { scope: `api ${baseName}`, document: apiDoc },
        { scope: `operation ${d.name}`, document: opDoc },
      ];
      pipelines.set('', compilePipeline(chainFor(undefined, undefined), info, opInfo));
      for (const pr of apiProducts) {
        const prDoc = withFragments(parse(state.productPolicy.get(`${pr.resource.key}/policies/policy`), `products/${pr.resource.name}/policy.xml`));
        pipelines.set(pr.resource.key, compilePipeline(chainFor(prDoc, pr.resource.name), info, opInfo));
      }
      return {
        key: opKey,
        method: d.method,
        urlTemplate: d.urlTemplate,
        runtime: { id: d.name, name: d.name, displayName: d.displayName, method: d.method, urlTemplate: d.urlTemplate },
        pipelines,
      };
    });
    const noOperation = compilePipeline(
      [{ scope: 'global', document: globalDoc }, ...(wsDoc ? [{ scope: `workspace ${a.workspace}`, document: wsDoc }] : []), { scope: `api ${baseName}`, document: apiDoc }],
      info,
      undefined,
    );
    apis.push({ key: a.key, path, protocols, revision, isCurrent, version, runtime, operations, info, products: apiProducts.map((x) => x.runtime), noOperation });
  }

  if (diagnostics.length > 0) throw new GatewayLoadError(dedupe(diagnostics));
  const router = new Router<LoadedApi, LoadedOperation>(apis, (api) => api.operations, { httpServesHttps: options.strictProtocols !== true });
  return { apis, router, products, subscriptionsByKey, backends, warnings };
}

/** `/subscriptions/x/.../service/y/products/p` or `/products/p` → `/products/p`; `/apis` and `/` kept. */
function normaliseScope(scope: string): string {
  const m = /\/(products|apis|apiVersionSets)(\/[^/]+)?\/?$/.exec(scope);
  if (m) return `/${m[1]}${m[2] ?? ''}`;
  return scope.endsWith('/') && scope.length > 1 ? scope.slice(0, -1) : scope;
}

/** `{{name}}` substituted in every string of a JSON-like value. */
function substituteDeep(v: unknown, lookup: (name: string) => string | undefined): unknown {
  if (typeof v === 'string') return v.replace(/\{\{([A-Za-z0-9][A-Za-z0-9._\-]*)\}\}/g, (whole, n: string) => lookup(n) ?? whole);
  if (Array.isArray(v)) return v.map((x) => substituteDeep(x, lookup));
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, substituteDeep(x, lookup)]));
  return v;
}

function dedupe(ds: Diagnostic[]): Diagnostic[] {
  const seen = new Set<string>();
  return ds.filter((d) => {
    const k = `${d.file}:${d.line}:${d.column}:${d.message}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}
