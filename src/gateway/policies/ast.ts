/**
 * The policy AST the gateway compiles, as published by `src/policy/` (POLICY-ENGINE.md §2.2). This file is
 * the one place the gateway names those types, so policies import them from `./types.js`.
 */
export type {
  PolicyElement,
  PolicyNode,
  PolicyPos as PolicyPosition,
  PolicyAttribute,
  PolicyText,
  PolicyExpressionSource,
} from '../../policy/types.js';
