import { copyNode } from './lazy-nodes.js';
import type { PolicyDocument, PolicyElement, PolicyNode, SectionName } from './types.js';

/** A fragment reference that could not be resolved. */
export interface MissingFragment {
  fragmentId: string;
  include: PolicyElement;
}

/**
 * Replaces every `<include-fragment fragment-id="x"/>` (at any depth) with the top-level policies of
 * fragment `x` (POLICY-ENGINE.md §3.3: "inserted as-is at the location"). Inlined elements are shallow
 * copies marked with `includedFrom`, so traces and lint can name the fragment; their positions still
 * point into the fragment's file. Fragments cannot include fragments, so one level is resolved. The
 * input document is not modified. Missing fragments are returned and their `include-fragment` kept.
 */
export function inlineFragments(
  doc: PolicyDocument,
  fragments: ReadonlyMap<string, PolicyDocument> | ((id: string) => PolicyDocument | undefined),
): { document: PolicyDocument; missing: MissingFragment[] } {
  const find = typeof fragments === 'function' ? fragments : (id: string) => fragments.get(id);
  const missing: MissingFragment[] = [];
  let changed = false;
  const rewrite = (el: PolicyElement): PolicyElement => {
    let children: PolicyNode[] | undefined;
    for (let i = 0; i < el.children.length; i++) {
      const c = el.children[i]!;
      if (c.type !== 'element') {
        children?.push(c);
        continue;
      }
      let replacement: PolicyNode[] | undefined;
      if (c.type === 'element' && c.name === 'include-fragment') {
        const id = c.attributes.find((a) => a.name === 'fragment-id')?.value;
        const frag = id === undefined ? undefined : find(id);
        if (id !== undefined && frag) {
          replacement = frag.root.children
            .filter((n): n is PolicyElement => n.type === 'element')
            .map((n) => copyNode(n, { includedFrom: { fragmentId: id, include: c } }));
        } else if (id !== undefined) missing.push({ fragmentId: id, include: c });
      } else if (c.type === 'element') {
        const r = rewrite(c);
        if (r !== c) replacement = [r];
      }
      if (replacement) {
        children ??= el.children.slice(0, i);
        children.push(...replacement);
      } else children?.push(c);
    }
    if (!children) return el;
    changed = true;
    return copyNode(el, { children });
  };
  const root = rewrite(doc.root);
  if (!changed) return { document: doc, missing };
  const sections: Partial<Record<SectionName, PolicyElement>> = {};
  for (const c of root.children) {
    if (c.type === 'element' && (c.name === 'inbound' || c.name === 'backend' || c.name === 'outbound' || c.name === 'on-error')) {
      sections[c.name] ??= c;
    }
  }
  return { document: { ...doc, root, sections: doc.kind === 'policies' ? sections : {} }, missing };
}
