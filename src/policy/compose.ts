import type { PolicyDocument, PolicyElement, SectionName } from './types.js';
import { childElements } from './walk.js';

/**
 * Scope composition (POLICY-ENGINE.md §3.2): the effective policy of a section is the narrowest scope's
 * section with each `<base/>` replaced, textually, by the effective section of the next broader scope.
 */

/**
 * APIM's default global policy: what the global scope holds when the folder does not manage a global policy.xml
 * (every instance has one). The backend is called only because of its `forward-request`.
 */
export const DEFAULT_GLOBAL_POLICY = '<policies>\n  <inbound />\n  <backend>\n    <forward-request />\n  </backend>\n  <outbound />\n  <on-error />\n</policies>\n';

/** One scope of the chain: a label for messages and traces, and its policy document if it has one. */
export interface ScopePolicy {
  /** E.g. `global`, `workspace team-a`, `product premium`, `api payments-api`, `operation create-payment`. */
  scope: string;
  document?: PolicyDocument;
}

/** One policy of an effective section, with the scope whose document it was written in. */
export interface ComposedPolicy {
  element: PolicyElement;
  scope: string;
  /** Index of that scope in the chain passed to `composePolicies`. */
  scopeIndex: number;
}

export interface ComposeOptions {
  /**
   * What a document that lacks the section means: `inherit` (default; as if it held only `<base/>`) or
   * `empty` (§3.2 "absent section note", an open question — configurable).
   */
  absentSection?: 'inherit' | 'empty';
}

/**
 * The effective policies of `section` for a chain of scopes given **broad → narrow**
 * (`[global, workspace?, product?, api, operation]`; omit scopes that do not apply, e.g. the product when
 * the request is not in a product context). An absent document means "inherit". `<base/>` is honoured only
 * as a direct child of the section; in the broadest scope it is a no-op. A second `<base/>` in one section
 * is ignored (APIM rejects it; lint reports `duplicate-base`).
 *
 * @example
 * composePolicies([{ scope: 'global', document: g }, { scope: 'api payments', document: a }], 'inbound')
 */
export function composePolicies(scopes: readonly ScopePolicy[], section: SectionName, options: ComposeOptions = {}): ComposedPolicy[] {
  const absent = options.absentSection ?? 'inherit';
  const effective = (index: number): ComposedPolicy[] => {
    if (index < 0) return [];
    const s = scopes[index]!;
    if (!s.document) return effective(index - 1);
    const sec = sectionOf(s.document, section);
    if (!sec) return absent === 'inherit' ? effective(index - 1) : [];
    const out: ComposedPolicy[] = [];
    let baseSeen = false;
    for (const el of childElements(sec)) {
      if (el.name === 'base') {
        if (!baseSeen) out.push(...effective(index - 1));
        baseSeen = true;
      } else out.push({ element: el, scope: s.scope, scopeIndex: index });
    }
    return out;
  };
  return effective(scopes.length - 1);
}

/** The section element of a document (`undefined` for fragments or when the section is absent). */
export function sectionOf(doc: PolicyDocument, section: SectionName): PolicyElement | undefined {
  return doc.kind === 'policies' ? doc.sections[section] : undefined;
}
