import type { ApimState, Resource } from '../artifacts/model.js';
import { KINDS } from '../artifacts/kinds.js';
import { policyPathOf } from '../artifacts/paths.js';
import {
  childElements,
  sectionOf,
  getAttribute,
  inlineFragments,
  parsePolicyDocument,
  type ComposedPolicy,
  type ParseOptions,
  type ParseResult,
  type PolicyDocument,
  type PolicyElement,
  type ScopePolicy,
  type SectionName,
} from '../policy/index.js';
import type { Diagnostic } from '../shared/errors.js';
import type { FragmentInclusion, LintInput, LintRunInput, LintSettings, PolicyUnit, UnitExpressionSite, UnitKind } from './types.js';

/** A policy file that is not part of an artifact tree (e.g. a folder of snippets), linted on its own. */
export interface StandalonePolicyFile {
  file: string;
  text: string;
}


const LINT_PARSE: ParseOptions = { whitespaceText: 'drop', positions: 'lazy' };

/** What a resource key says about its unit: everything of a `PolicyUnit` but the file, its text and document. */
export type UnitPlace = Omit<PolicyUnit, 'file' | 'text' | 'document'>;

/**
 * Classifies a policy resource key into a unit (without text): `[/workspaces/<w>]` then `/policies/policy`,
 * `/apis/<a>/policies/policy`, `/apis/<a>/operations/<o>/policies/policy`, `/products/<p>/policies/policy` or
 * `/policyFragments/<f>`. Asked for every policy of a folder: one split, no pattern per kind.
 */
export function unitOf(key: string): UnitPlace | undefined {
  const segs = key.split('/');
  if (segs[0] !== '') return undefined;
  for (let s = 1; s < segs.length; s++) if (segs[s] === '') return undefined;
  let workspace: string | undefined;
  let i = 1;
  if (segs[1] === 'workspaces' && segs.length > 3) {
    workspace = segs[2];
    i = 3;
  }
  const n = segs.length - i;
  const isPolicy = segs[segs.length - 2] === 'policies' && segs[segs.length - 1] === 'policy';
  const head = segs[i];
  if (n === 2 && isPolicy) return workspace === undefined ? { key, kind: 'global', label: 'global' } : { key, kind: 'workspace', label: `workspace ${workspace}`, workspace };
  if (n === 2 && head === 'policyFragments') return { key, kind: 'fragment', label: `fragment ${segs[i + 1]}`, workspace, fragment: segs[i + 1]! };
  if (n === 4 && isPolicy && head === 'apis') return { key, kind: 'api', label: `API ${segs[i + 1]}`, workspace, api: segs[i + 1]! };
  if (n === 4 && isPolicy && head === 'products') return { key, kind: 'product', label: `product ${segs[i + 1]}`, workspace, product: segs[i + 1]! };
  if (n === 6 && isPolicy && head === 'apis' && segs[i + 2] === 'operations') {
    return { key, kind: 'operation', label: `operation ${segs[i + 1]}/${segs[i + 3]}`, workspace, api: segs[i + 1]!, operation: segs[i + 3]! };
  }
  return undefined;
}

/**
 * A unit as one object literal with every field, absent ones `undefined`: all units share one hidden class,
 * so the rules' reads of `unit.kind`, `unit.document`… stay monomorphic. Built with `{ ...place, document }`
 * instead, V8 gave each of a large folder's 12,000 units a map of its own (a megamorphic read at every use,
 * and ~4 MB of maps for the garbage collector).
 */
export function policyUnit(place: UnitPlace, file: string, text: string, document: PolicyDocument | undefined): PolicyUnit {
  return {
    key: place.key,
    kind: place.kind,
    label: place.label,
    file,
    text,
    document,
    workspace: place.workspace,
    api: place.api,
    product: place.product,
    operation: place.operation,
    fragment: place.fragment,
  };
}

/** The same unit without its text and document: what a run keeps of a unit whose batch is over. */
export function withoutDocument(unit: PolicyUnit): PolicyUnit {
  return policyUnit(unit, unit.file, '', undefined);
}

/** The place of a policy file that is not part of an artifact tree (its key is its path). */
export function standalonePlace(file: string): UnitPlace {
  return { key: file, kind: 'standalone', label: `policy ${file}` };
}

/**
 * Parses a policy file as lint needs it: indentation-only text nodes are left out (no rule reads them) and
 * positions are computed only where a rule reads one, because every object kept for the run costs (about
 * half the memory of the documents).
 */
export function parseForLint(file: string, text: string): ParseResult {
  return parsePolicyDocument(text, file, LINT_PARSE);
}

/** The unit of a policy file at `place`, parsed as lint parses; the parse's problems are added to `diagnostics`. */
export function parsedUnit(place: UnitPlace, file: string, text: string, diagnostics: Diagnostic[]): PolicyUnit {
  const result = parseForLint(file, text);
  if (result.diagnostics.length > 0) diagnostics.push(...result.diagnostics);
  return policyUnit(place, file, text, result.document);
}

/** Units in file order, so that findings come out in a stable order. */
export function sortUnitsByFile(units: PolicyUnit[]): PolicyUnit[] {
  return units.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
}

/** Parses every policy of the state (and any standalone policy files) once, units in file order. */
export function buildLintInput(state: ApimState, settings: LintSettings = {}, standalone: readonly StandalonePolicyFile[] = []): LintInput {
  const units: PolicyUnit[] = [];
  const parseDiagnostics: Diagnostic[] = [];
  const add = (place: UnitPlace, file: string, text: string): void => {
    units.push(parsedUnit(place, file, text, parseDiagnostics));
  };
  const policyResources: Resource[] = [
    ...state.servicePolicy.values(),
    ...state.workspacePolicy.values(),
    ...state.productPolicy.values(),
    ...state.apiPolicy.values(),
    ...state.apiOperationPolicy.values(),
    ...state.policyFragment.values(),
  ] as Resource[];
  for (const r of policyResources) {
    if (!r.policy) continue;
    const u = unitOf(r.key);
    if (!u) continue;
    const file = r.policy.origin?.file ?? policyPathOf(r.key) ?? r.key;
    add(u, file, r.policy.text);
  }
  for (const f of standalone) add(standalonePlace(f.file), f.file, f.text);
  return { state, units: sortUnitsByFile(units), settings, parseDiagnostics };
}

/**
 * Lookups over a lint run, shared by rules. Units are looked up by key among those the run keeps (global,
 * workspace, product and fragment policies: every batch may compose or include them) and those of the batch
 * being linted; a batch's units and whatever is remembered about their documents die with the batch.
 */
export class LintModel {
  private readonly byKey = new Map<string, PolicyUnit>();
  /** The key of every unit seen, by file: findings about a file whose batch is gone (reader diagnostics). */
  private readonly keyByFile = new Map<string, string>();
  private readonly inlined = new WeakMap<PolicyUnit, PolicyDocument | undefined>();
  private readonly inclusions = new Map<string, FragmentInclusion[]>();
  private productsByApi?: Map<string, Resource[]>;
  private gatewaysByApi?: Map<string, Resource[]>;
  private readonly nvCache = new Map<string | undefined, Set<string>>();
  private batchUnits: readonly PolicyUnit[] = [];
  private indexed = false;
  private byName = new Map<string, ElementAt[]>();
  private readonly composeMemo: ComposeNode = newComposeNode();

  constructor(readonly input: LintRunInput) {}

  /** A unit every batch may look up (a broader scope, a fragment): kept until the run ends. */
  keep(unit: PolicyUnit): void {
    this.byKey.set(unit.key, unit);
    this.keyByFile.set(unit.file, unit.key);
  }

  /**
   * Starts a batch: its units can be looked up, `elementsNamed` answers for them, and the fragments they
   * include are noted (a fragment's rules run in the last batch, when every inclusion is known).
   */
  beginBatch(units: readonly PolicyUnit[]): void {
    this.batchUnits = units;
    this.byName = new Map();
    this.indexed = false;
    for (const u of units) {
      if (!this.byKey.has(u.key)) this.byKey.set(u.key, u);
      this.keyByFile.set(u.file, u.key);
    }
    this.noteInclusions();
  }

  /** Ends a batch: its units that are not kept can no longer be looked up (their documents may die). */
  endBatch(kept: ReadonlySet<PolicyUnit>): void {
    for (const u of this.batchUnits) if (!kept.has(u) && this.byKey.get(u.key) === u) this.byKey.delete(u.key);
    this.batchUnits = [];
    this.byName = new Map();
    this.indexed = false;
  }

  /**
   * The unit of a file seen in this run: the unit itself while it can be looked up, otherwise one without
   * text or document (enough to report a finding on the file).
   */
  unitForFile(file: string): PolicyUnit | undefined {
    const key = this.keyByFile.get(file);
    if (key === undefined) return undefined;
    const live = this.byKey.get(key);
    if (live && live.file === file) return live;
    const place = key === file ? standalonePlace(file) : unitOf(key);
    return place ? policyUnit(place, file, '', undefined) : undefined;
  }

  /**
   * Every element of the unit's document (root included), in document order. Not kept: the rules that
   * walk whole documents do so for few of them (the name lists serve the others).
   */
  elements(unit: PolicyUnit): readonly PolicyElement[] {
    return unit.document ? preorder(unit.document.root) : NO_ELEMENTS;
  }

  /**
   * Every element named `name` in the batch's units (units in batch order, elements in document order), so a
   * rule about one policy looks only at that policy's elements instead of walking every element of every file.
   * The first ask for one of `INDEXED_NAMES` lists them all in one walk; another name gets a walk of its own.
   */
  elementsNamed(name: string): readonly ElementAt[] {
    let list = this.byName.get(name);
    if (!list) {
      const names = INDEXED_NAMES.has(name) && !this.indexed ? INDEXED_NAMES : new Set([name]);
      if (names === INDEXED_NAMES) this.indexed = true;
      for (const n of names) if (!this.byName.has(n)) this.byName.set(n, []);
      const units = this.batchUnits;
      for (let u = 0; u < units.length; u++) {
        const unit = units[u]!;
        if (!unit.document) continue;
        const elements = preorder(unit.document.root);
        for (let i = 0; i < elements.length; i++) {
          const element = elements[i]!;
          if (names.has(element.name)) this.byName.get(element.name)!.push({ unit, element });
        }
      }
      list = this.byName.get(name)!;
    }
    return list;
  }

  /**
   * Every `@(…)`/`@{…}` of the unit's document in document order (as `collectExpressions`), with the unit. Not
   * kept: the engine walks them once for every rule's `expression` visitor.
   */
  expressions(unit: PolicyUnit): readonly UnitExpressionSite[] {
    if (!unit.document) return NO_EXPRESSIONS;
    const sites: UnitExpressionSite[] = [];
    // Indexed loops: in a function that runs a few times per file, `for…of` allocates an iterator result per step
    // until it is optimised (~1M over a large folder).
    const elements = preorder(unit.document.root);
    for (let i = 0; i < elements.length; i++) {
      const element = elements[i]!;
      const { attributes, children } = element;
      for (let j = 0; j < attributes.length; j++) {
        const attribute = attributes[j]!;
        if (attribute.expression) sites.push({ unit, expression: attribute.expression, element, attribute });
      }
      for (let j = 0; j < children.length; j++) {
        const c = children[j]!;
        if (c.type === 'text' && c.expression) sites.push({ unit, expression: c.expression, element, attribute: undefined });
      }
    }
    return sites;
  }

  unit(key: string): PolicyUnit | undefined {
    return this.byKey.get(key);
  }

  /** A resource of the given collection visible from `workspace` (the workspace's own, then the service's). */
  private visible<K extends keyof ApimState>(kind: K, name: string, workspace?: string): Resource | undefined {
    const coll = this.input.state[kind] as Map<string, Resource>;
    const collection = KINDS[kind].armCollection;
    if (workspace) {
      const r = coll.get(`/workspaces/${workspace}/${collection}/${name}`);
      if (r) return r;
    }
    return coll.get(`/${collection}/${name}`);
  }

  fragmentExists(id: string, workspace?: string): boolean {
    // A policyFragments/<f>/policy.xml without policyFragment.yaml is a fragment too (the reader adds its
    // resource when the folder is read; a batch linted while it is read sees the kept unit).
    return (
      this.visible('policyFragment', id, workspace) !== undefined ||
      (workspace !== undefined && this.byKey.has(`/workspaces/${workspace}/policyFragments/${id}`)) ||
      this.byKey.has(`/policyFragments/${id}`)
    );
  }
  backendExists(id: string, workspace?: string): boolean {
    return this.visible('backend', id, workspace) !== undefined;
  }
  loggerExists(id: string, workspace?: string): boolean {
    return this.visible('logger', id, workspace) !== undefined;
  }

  /**
   * Named values visible from `workspace`, by the name a policy uses: the display name (§2.4), and the
   * resource name as well (they are usually equal).
   */
  namedValueNames(workspace?: string): Set<string> {
    const cached = this.nvCache.get(workspace);
    if (cached) return cached;
    const out = new Set<string>();
    this.nvCache.set(workspace, out);
    for (const r of this.input.state.namedValue.values()) {
      const ws = /^\/workspaces\/([^/]+)\//.exec(r.key)?.[1];
      if (ws !== undefined && ws !== workspace) continue;
      out.add(r.name);
      const display = r.properties.displayName;
      if (typeof display === 'string') out.add(display);
    }
    return out;
  }

  /** The fragment document a unit's `include-fragment` refers to. */
  fragmentDocument(id: string, workspace?: string): PolicyDocument | undefined {
    const r = this.visible('policyFragment', id, workspace);
    return r ? this.byKey.get(r.key)?.document : undefined;
  }

  /** The unit's document with fragments inlined (remembered while the unit lives). */
  inlinedDocument(unit: PolicyUnit): PolicyDocument | undefined {
    // A file without the text "include-fragment" has nothing to inline (element names are never
    // entity-encoded): its own document, nothing to remember.
    if (!unit.document || !unit.text.includes('include-fragment')) return unit.document;
    if (this.inlined.has(unit)) return this.inlined.get(unit);
    const doc = inlineFragments(unit.document, (id) => this.fragmentDocument(id, unit.workspace)).document;
    this.inlined.set(unit, doc);
    return doc;
  }

  /**
   * Where each fragment (by unit key) is included from, with the enclosing section: from every batch so far (a
   * fragment is linted in the last batch, after every batch that may include it).
   */
  fragmentInclusions(fragmentKey: string): readonly FragmentInclusion[] {
    return this.inclusions.get(fragmentKey) ?? NO_INCLUSIONS;
  }

  /** Notes the batch's `<include-fragment>`s, with the including unit without its text and document. */
  private noteInclusions(): void {
    const bare = new Map<PolicyUnit, PolicyUnit>();
    // An include belongs to the section whose range holds it (includes outside a recorded section, e.g. in a
    // duplicate section, are not inclusions).
    for (const { unit, element: e } of this.elementsNamed('include-fragment')) {
      const doc = unit.document;
      if (!doc || unit.kind === 'fragment') continue;
      const section = Object.entries(doc.sections).find(([, s]) => s.pos.offset <= e.pos.offset && e.pos.offset < s.endPos.offset)?.[0];
      if (section === undefined) continue;
      const id = getAttribute(e, 'fragment-id')?.value;
      if (!id) continue;
      const frag =
        (unit.workspace && this.byKey.get(`/workspaces/${unit.workspace}/policyFragments/${id}`)) || this.byKey.get(`/policyFragments/${id}`);
      if (!frag) continue;
      let including = bare.get(unit);
      if (!including) bare.set(unit, (including = withoutDocument(unit)));
      const list = this.inclusions.get(frag.key) ?? [];
      list.push({ unit: including, line: e.pos.line, section });
      this.inclusions.set(frag.key, list);
    }
  }

  private apiResource(api: string, workspace?: string): Resource | undefined {
    return this.visible('api', api, workspace);
  }

  /** Products (keys) whose `apis` list contains the API. Indexed once per run: every policy asks. */
  productsOfApi(api: string, workspace?: string): Resource[] {
    if (!this.productsByApi) {
      const index = new Map<string, Resource[]>();
      for (const p of this.input.state.product.values()) {
        const ws = /^\/workspaces\/([^/]+)\//.exec(p.key)?.[1];
        const apis = p.properties.apis;
        if (!Array.isArray(apis)) continue;
        for (const a of new Set(apis)) {
          if (typeof a !== 'string') continue;
          const k = `${ws ?? ''}|${a}`;
          const list = index.get(k) ?? [];
          list.push(p as Resource);
          index.set(k, list);
        }
      }
      for (const list of index.values()) list.sort((a, b) => (a.key < b.key ? -1 : 1));
      this.productsByApi = index;
    }
    // Service-level products apply to every API; workspace products only inside their workspace.
    const own = workspace === undefined ? [] : (this.productsByApi.get(`${workspace}|${api}`) ?? []);
    const service = this.productsByApi.get(`|${api}`) ?? [];
    return own.length === 0 ? service : [...service, ...own].sort((a, b) => (a.key < b.key ? -1 : 1));
  }

  /** APIs of the folder (names) that a unit's policies apply to. */
  apisOf(unit: PolicyUnit): string[] {
    const inWs = (k: string) => /^\/workspaces\/([^/]+)\//.exec(k)?.[1];
    const apis = () => [...this.input.state.api.values()];
    switch (unit.kind) {
      case 'api':
      case 'operation':
        return unit.api ? [unit.api] : [];
      case 'product': {
        const p = this.visible('product', unit.product!, unit.workspace);
        const list = p?.properties.apis;
        return Array.isArray(list) ? list.filter((x): x is string => typeof x === 'string') : [];
      }
      case 'workspace':
        return apis().filter((a) => inWs(a.key) === unit.workspace).map((a) => a.name);
      case 'global':
        return apis().map((a) => a.name);
      case 'fragment': {
        const out = new Set<string>();
        for (const inc of this.fragmentInclusions(unit.key)) for (const a of this.apisOf(inc.unit)) out.add(a);
        return [...out];
      }
      default:
        return [];
    }
  }

  /** Whether an API requires a subscription (ARM default: true). */
  apiRequiresSubscription(api: string, workspace?: string): boolean {
    return this.apiResource(api, workspace)?.properties.subscriptionRequired !== false;
  }

  /** Products containing the API that do not require a subscription (open products). */
  openProductsOf(api: string, workspace?: string): string[] {
    return this.productsOfApi(api, workspace)
      .filter((p) => p.properties.subscriptionRequired === false)
      .map((p) => p.name);
  }

  /** Self-hosted gateways (every `gateways/<g>` is one) the API is assigned to. */
  gatewaysOfApi(api: string): Resource[] {
    if (!this.gatewaysByApi) {
      const index = new Map<string, Resource[]>();
      for (const g of this.input.state.gateway.values()) {
        const apis = g.properties.apis;
        if (!Array.isArray(apis)) continue;
        for (const a of new Set(apis)) {
          if (typeof a !== 'string') continue;
          const list = index.get(a) ?? [];
          list.push(g as Resource);
          index.set(a, list);
        }
      }
      this.gatewaysByApi = index;
    }
    return this.gatewaysByApi.get(api) ?? [];
  }

  hasExternalCache(gateway: string): boolean {
    return (this.input.settings.externalCacheGateways ?? []).includes(gateway);
  }

  /** A unit (if any) as one scope of a chain, with its fragments inlined. A bound method: no closure per call. */
  private readonly scopeOf = (u: PolicyUnit | undefined, label: string): ScopePolicy => {
    const document = u ? this.inlinedDocument(u) : undefined;
    return document ? { scope: label, document } : { scope: label };
  };

  /**
   * Every chain of broader scopes above `unit`, broad → narrow, each ready for `composePolicies`, with a
   * label for the product context (`undefined` = no product). An API in two products has three chains:
   * no product, product A, product B (POLICY-ENGINE.md §3.2: the product applies only in its context).
   */
  parentChains(unit: PolicyUnit): { product?: string; chain: ScopePolicy[] }[] {
    const scope = this.scopeOf;
    const ws = unit.workspace;
    const globalUnit = this.byKey.get('/policies/policy');
    const base: ScopePolicy[] = [scope(globalUnit, 'global')];
    if (ws) base.push(scope(this.byKey.get(`/workspaces/${ws}/policies/policy`), `workspace ${ws}`));
    const prefix = ws ? `/workspaces/${ws}` : '';
    switch (unit.kind) {
      case 'workspace':
        return [{ chain: [base[0]!] }];
      case 'product':
        return [{ chain: base }];
      case 'api':
      case 'operation': {
        const chains: { product?: string; chain: ScopePolicy[] }[] = [];
        const apiScope = unit.kind === 'operation' ? [scope(this.byKey.get(`${prefix}/apis/${unit.api}/policies/policy`), `API ${unit.api}`)] : [];
        chains.push({ chain: [...base, ...apiScope] });
        for (const p of this.productsOfApi(unit.api!, ws)) {
          chains.push({ product: p.name, chain: [...base, scope(this.byKey.get(`${p.key}/policies/policy`), `product ${p.name}`), ...apiScope] });
        }
        return chains;
      }
      default:
        return [];
    }
  }

  /**
   * The effective section above `unit` for one chain: `composePolicies(chain, section)`, memoised on the
   * chain's scopes (documents and labels). Chains share their broader scopes (every operation of an API has
   * the same global, product and API documents above it), so each prefix is composed once per run. The
   * returned array is shared: do not modify it.
   */
  composedAbove(chain: readonly ScopePolicy[], section: SectionName): readonly ComposedPolicy[] {
    return this.compose(chain, section, chain.length);
  }

  /**
   * `composePolicies(chain, section)` for a chain whose narrowest scope is seen once (an operation): the
   * broader scopes come from the `composedAbove` memo, the last one is composed without being remembered.
   */
  composedSection(chain: readonly ScopePolicy[], section: SectionName): readonly ComposedPolicy[] {
    return this.compose(chain, section, chain.length - 1);
  }

  /** Composition of `chain` with the first `memoised` scopes' prefixes remembered. */
  private compose(chain: readonly ScopePolicy[], section: SectionName, memoised: number): readonly ComposedPolicy[] {
    let node = this.composeMemo;
    const nodes: ComposeNode[] = [];
    for (let i = 0; i < memoised; i++) {
      const s = chain[i]!;
      let byLabel = s.document ? node.next?.get(s.document) : node.none;
      if (!byLabel) {
        byLabel = new Map();
        if (s.document) (node.next ??= new WeakMap()).set(s.document, byLabel);
        else node.none = byLabel;
      }
      let child = byLabel.get(s.scope);
      if (!child) byLabel.set(s.scope, (child = newComposeNode()));
      nodes.push(child);
      node = child;
    }
    return this.effective(chain, nodes, section, chain.length - 1);
  }

  /** The section composed from chain[0..k] (POLICY-ENGINE.md §3.2, as composePolicies), memoised in `nodes[k]`. */
  private effective(chain: readonly ScopePolicy[], nodes: readonly ComposeNode[], section: SectionName, k: number): readonly ComposedPolicy[] {
    if (k < 0) return NO_POLICIES;
    const memo = nodes[k];
    const known = memo?.[section];
    if (known) return known;
    const s = chain[k]!;
    const sec = s.document ? sectionOf(s.document, section) : undefined;
    let out: readonly ComposedPolicy[];
    if (!sec) out = this.effective(chain, nodes, section, k - 1);
    else {
      const list: ComposedPolicy[] = [];
      let baseSeen = false;
      for (const el of sec.children) {
        if (el.type !== 'element') continue;
        if (el.name === 'base') {
          if (!baseSeen) list.push(...this.effective(chain, nodes, section, k - 1));
          baseSeen = true;
        } else list.push({ element: el, scope: s.scope, scopeIndex: k });
      }
      out = list;
    }
    if (memo) memo[section] = out;
    return out;
  }
}

/** An element and the unit it is in. */
export interface ElementAt {
  unit: PolicyUnit;
  element: PolicyElement;
}

/**
 * One node of the `composedAbove` memo: a chain prefix, its composed sections and its extensions, by the next
 * scope's document (weakly: an API's document dies with its batch) or `none` for a scope without one.
 */
interface ComposeNode extends Partial<Record<SectionName, readonly ComposedPolicy[]>> {
  /** Made when first extended: most nodes (an API's, at the end of its chains) never are. */
  next?: WeakMap<PolicyDocument, Map<string, ComposeNode>>;
  none?: Map<string, ComposeNode>;
}
const newComposeNode = (): ComposeNode => ({ next: undefined, none: undefined });
const NO_INCLUSIONS: readonly FragmentInclusion[] = [];
const NO_POLICIES: readonly ComposedPolicy[] = [];

/**
 * The element names the built-in rules look up (include-fragment, set-backend-service, log-to-eventhub,
 * validate-jwt, the self-hosted ones and hardcoded-secret's credential elements): listed together in one walk.
 */
const INDEXED_NAMES: ReadonlySet<string> = new Set([
  'include-fragment',
  'set-backend-service',
  'log-to-eventhub',
  'validate-jwt',
  'cache-lookup',
  'rate-limit-by-key',
  'quota-by-key',
  'set-header',
  'authentication-basic',
  'authentication-certificate',
  'proxy',
]);

const NO_ELEMENTS: readonly PolicyElement[] = [];
const NO_EXPRESSIONS: readonly UnitExpressionSite[] = [];

/** The elements under `root` (root included), depth-first in document order, without a callback per element. */
function preorder(root: PolicyElement): PolicyElement[] {
  const out: PolicyElement[] = [];
  const stack: PolicyElement[] = [root];
  while (stack.length > 0) {
    const el = stack.pop()!;
    out.push(el);
    for (let i = el.children.length - 1; i >= 0; i--) {
      const c = el.children[i]!;
      if (c.type === 'element') stack.push(c);
    }
  }
  return out;
}

/** Direct `<base/>` children of a section element. */
export function directBases(section: import('../policy/index.js').PolicyElement) {
  return childElements(section).filter((e) => e.name === 'base');
}
