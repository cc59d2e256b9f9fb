import type { PolicyAttribute, PolicyElement, PolicyExpressionSource, PolicyNode } from './types.js';

/** Element children of a node (comments and text skipped). */
export function childElements(el: PolicyElement): PolicyElement[] {
  return el.children.filter((c): c is PolicyElement => c.type === 'element');
}

/** The attribute `name` of `el`, if present. A loop, not `find` with a closure: lint asks it of every policy of a folder. */
export function getAttribute(el: PolicyElement, name: string): PolicyAttribute | undefined {
  const { attributes } = el;
  for (let i = 0; i < attributes.length; i++) if (attributes[i]!.name === name) return attributes[i];
  return undefined;
}

/** The element's text content (text nodes concatenated), e.g. `<value>abc</value>` → `abc`. */
export function textContent(el: PolicyElement): string {
  return el.children.map((c) => (c.type === 'text' ? c.text : c.type === 'element' ? textContent(c) : '')).join('');
}

/**
 * Visits every element under `root` (root included) depth-first in document order; `ancestors` is the
 * chain from the root to the element's parent.
 */
export function walkElements(root: PolicyElement, visit: (el: PolicyElement, ancestors: readonly PolicyElement[]) => void): void {
  const stack: PolicyElement[] = [];
  const go = (el: PolicyElement): void => {
    visit(el, stack);
    stack.push(el);
    const children = el.children;
    for (let i = 0; i < children.length; i++) {
      const c = children[i]!;
      if (c.type === 'element') go(c);
    }
    stack.pop();
  };
  go(root);
}

/** One expression found in a document, with the element and attribute (absent for text) it sits in. */
export interface ExpressionSite {
  expression: PolicyExpressionSource;
  element: PolicyElement;
  attribute?: PolicyAttribute;
}

/** Every `@(…)`/`@{…}` under `root`, in document order. */
export function collectExpressions(root: PolicyElement): ExpressionSite[] {
  const out: ExpressionSite[] = [];
  walkElements(root, (element) => {
    for (const attribute of element.attributes) if (attribute.expression) out.push({ expression: attribute.expression, element, attribute });
    for (const c of element.children as PolicyNode[]) if (c.type === 'text' && c.expression) out.push({ expression: c.expression, element });
  });
  return out;
}
