/**
 * `policy/`: policy XML → positioned AST, named values, fragments and scope composition. Pure; shared by
 * lint (to find problems with positions) and the gateway (to run them). Parse once, use many times.
 */
export * from './types.js';
export { parsePolicyDocument, type ParseOptions, type ParseResult } from './parse.js';
export { LineIndex, advancePos } from './positions.js';
export { decodeEntities } from './entities.js';
export { scanRegion, type RegionScan } from './csharp-region.js';
export {
  findNamedValueReferences,
  findNamedValueReferencesInElement,
  substituteNamedValues,
  type NamedValueReference,
  type PositionedNamedValueReference,
  type SubstitutionResult,
} from './named-values.js';
export { DEFAULT_GLOBAL_POLICY, composePolicies, sectionOf, type ComposedPolicy, type ComposeOptions, type ScopePolicy } from './compose.js';
export { inlineFragments, type MissingFragment } from './fragments.js';
export { childElements, collectExpressions, getAttribute, textContent, walkElements, type ExpressionSite } from './walk.js';
export { copyNode } from './lazy-nodes.js';
