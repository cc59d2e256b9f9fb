import { DEFAULT_GLOBAL_POLICY, parsePolicyDocument, sectionOf, type ComposedPolicy, type PolicyElement, type PolicyPos, type ScopePolicy } from '../../policy/index.js';
import { withoutDocument } from '../model.js';
import { defineRule, type PolicyUnit } from '../types.js';

const RESPONDERS: ReadonlySet<string> = new Set(['return-response', 'mock-response']);
const FORWARD: ReadonlySet<string> = new Set(['forward-request']);

/** Whether a composed section has, anywhere, one of `names`. */
function composedContains(section: readonly ComposedPolicy[], names: ReadonlySet<string>): boolean {
  for (let i = 0; i < section.length; i++) if (containsDeep(section[i]!.element, names)) return true;
  return false;
}

/**
 * Whether an element or any descendant has one of `names`. Not remembered: the composed sections are a few
 * small elements (a memo per element cost more than the walk, and kept elements alive across batches).
 */
function containsDeep(el: PolicyElement, names: ReadonlySet<string>): boolean {
  if (names.has(el.name)) return true;
  const children = el.children;
  for (let i = 0; i < children.length; i++) {
    const c = children[i]!;
    if (c.type === 'element' && containsDeep(c, names)) return true;
  }
  return false;
}

/**
 * Whether the section composed from the narrowest scope's `own` section (undefined: the scope has none, so
 * it inherits) over broader scopes whose composed section has such a policy (`above`) has one of `names`:
 * the answer of `composePolicies` + a deep search, without composing (POLICY-ENGINE.md §3.2: the first
 * direct `<base/>` stands for the broader section, a second one for nothing).
 */
function sectionContains(own: PolicyElement | undefined, above: boolean, names: ReadonlySet<string>): boolean {
  if (!own) return above;
  let baseSeen = false;
  const children = own.children;
  for (let i = 0; i < children.length; i++) {
    const c = children[i]!;
    if (c.type !== 'element') continue;
    if (c.name === 'base') {
      if (!baseSeen && above) return true;
      baseSeen = true;
    } else if (containsDeep(c, names)) return true;
  }
  return false;
}

/**
 * The global scope of a folder without a global policy.xml: APIM's default global policy, whose backend is
 * `<forward-request />` (every instance has a global policy; the folder just does not manage it). A `<base />`
 * that reaches it forwards.
 */
const DEFAULT_GLOBAL = parsePolicyDocument(DEFAULT_GLOBAL_POLICY, '<default global policy>').document!;

/** A chain whose global scope has no document, with APIM's default global policy in its place. */
function withDefaultGlobal<C extends { chain: ScopePolicy[] }>(c: C): C {
  const [global, ...rest] = c.chain;
  return global && global.scope === 'global' && !global.document ? { ...c, chain: [{ scope: 'global', document: DEFAULT_GLOBAL }, ...rest] } : c;
}

export const rule = defineRule({
  id: 'backend-without-forward',
  defaultSeverity: 'error',
  description:
    'The composed backend section of an operation never forwards the request (no forward-request) and the pipeline never returns a response: the backend is never called and clients get 200 with an empty body.',
  help: 'Add <base /> to the <backend> section so the global <forward-request /> runs, or add your own <forward-request /> (or a return-response / mock-response if the operation is answered by the gateway).',
  example: {
    bad: '<backend>\n  <set-header name="X-Backend" exists-action="override"><value>1</value></set-header>\n</backend>',
    good: '<backend>\n  <set-header name="X-Backend" exists-action="override"><value>1</value></set-header>\n  <base />\n</backend>',
  },
  create(ctx) {
    const { model } = ctx;
    const parentChains = (u: PolicyUnit) =>
      model.unit('/policies/policy') !== undefined ? model.parentChains(u) : model.parentChains(u).map(withDefaultGlobal);
    // One finding per culprit <backend> (or document), listing the operations it breaks, reported at the end:
    // a global or product culprit breaks operations of many batches. Kept without documents (they die with
    // their batch): the culprit's file, unit and position.
    const culprits = new Map<string, { unit: PolicyUnit; pos: Pick<PolicyPos, 'line' | 'column'>; targets: string[] }>();
    const evaluate = (target: string, chains: { product?: string; chain: ScopePolicy[] }[]) => {
      for (const { product, chain } of chains) {
        const withBackend = chain.filter((s) => s.document?.kind === 'policies' && s.document.sections.backend);
        const backend = model.composedSection(chain, 'backend');
        if (composedContains(backend, FORWARD) || composedContains(backend, RESPONDERS)) continue;
        if (composedContains(model.composedSection(chain, 'inbound'), RESPONDERS)) continue;
        const culprit = withBackend[withBackend.length - 1] ?? chain.findLast((s) => s.document);
        const doc = culprit?.document;
        const unit = doc ? model.unitForFile(doc.file) : undefined;
        if (!doc || !unit) continue;
        const at = doc.sections.backend?.pos ?? doc.root.pos;
        const key = `${unit.file}:${at.offset}`;
        let entry = culprits.get(key);
        if (!entry) culprits.set(key, (entry = { unit: withoutDocument(unit), pos: { line: at.line, column: at.column }, targets: [] }));
        const label = product ? `${target} (in product ${product})` : target;
        if (!entry.targets.includes(label)) entry.targets.push(label);
      }
    };
    return {
      batch({ units, apis }) {
        for (const api of apis) {
          const resource = api.resource;
          if (!resource) continue;
          const workspace = /^\/workspaces\/([^/]+)\//.exec(api.key)?.[1];
          const base = { ...(workspace ? { workspace } : {}), api: resource.name };
          // The API's operations (from the state and from operation policy files), with their policy units.
          const ops = new Map<string, PolicyUnit | undefined>();
          for (const op of api.operations) ops.set(op, undefined);
          for (const u of units) if (u.kind === 'operation' && u.api === resource.name && u.workspace === workspace) ops.set(u.operation!, u);
          const apiUnit: PolicyUnit = model.unit(`${api.key}/policies/policy`) ?? { key: `${api.key}/policies/policy`, kind: 'api', label: `API ${resource.name}`, file: '', text: '', ...base };
          if (ops.size === 0) {
            evaluate(`API ${resource.name}`, parentChains(apiUnit).map((c) => ({ ...c, chain: [...c.chain, { scope: apiUnit.label, ...(apiUnit.document ? { document: model.inlinedDocument(apiUnit)! } : {}) }] })));
            continue;
          }
          // The scopes above an operation depend only on its API (and workspace): build them once per API.
          // Per chain above, whether its composed backend forwards / responds and its inbound responds; then an
          // operation is fully evaluated (composed, culprit found) only when its own sections do not settle it.
          const above = parentChains({ key: '', kind: 'operation', label: '', file: '', text: '', ...base }).map((c) => {
            const backend = model.composedAbove(c.chain, 'backend');
            return {
              product: c.product,
              chain: c.chain,
              forwards: composedContains(backend, FORWARD),
              responds: composedContains(backend, RESPONDERS),
              inboundResponds: composedContains(model.composedAbove(c.chain, 'inbound'), RESPONDERS),
            };
          });
          for (const op of [...ops.keys()].sort()) {
            const key = `${api.key}/operations/${op}/policies/policy`;
            const opUnit: PolicyUnit = ops.get(op) ?? { key, kind: 'operation', label: `operation ${resource.name}/${op}`, file: '', text: '', ...base, operation: op };
            const doc = opUnit.document ? model.inlinedDocument(opUnit) : undefined;
            const backendSec = doc ? sectionOf(doc, 'backend') : undefined;
            const inboundSec = doc ? sectionOf(doc, 'inbound') : undefined;
            for (const c of above) {
              if (
                sectionContains(backendSec, c.forwards, FORWARD) ||
                sectionContains(backendSec, c.responds, RESPONDERS) ||
                sectionContains(inboundSec, c.inboundResponds, RESPONDERS)
              ) {
                continue;
              }
              const own: ScopePolicy = doc ? { scope: opUnit.label, document: doc } : { scope: opUnit.label };
              evaluate(`operation ${resource.name}/${op}`, [{ ...(c.product !== undefined ? { product: c.product } : {}), chain: [...c.chain, own] }]);
            }
          }
        }
        // A standalone policy file: only its own backend counts (an inherited one is unknown, assumed to forward).
        for (const u of units) {
          if (u.kind !== 'standalone' || u.document?.kind !== 'policies') continue;
          const sec = u.document.sections.backend;
          if (!sec || sec.children.some((c) => c.type === 'element' && c.name === 'base')) continue;
          evaluate(u.label, [{ chain: [{ scope: u.label, document: model.inlinedDocument(u)! }] }]);
        }
      },
      end() {
        for (const { unit, pos, targets } of culprits.values()) {
          // Sorted: the same list whatever order the batches came in.
          targets.sort();
          const shown = targets.slice(0, 3).join(', ') + (targets.length > 3 ? ` and ${targets.length - 3} more` : '');
          ctx.report(
            unit,
            pos,
            `the backend section never forwards the request and nothing returns a response, so the backend is never called and clients get 200 with an empty body (${shown}); add <base /> or <forward-request /> to <backend>`,
          );
        }
      },
    };
  },
});
