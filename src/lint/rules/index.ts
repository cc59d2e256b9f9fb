import type { LintRule } from '../types.js';
import { rule as artifactError } from './artifact-error.js';
import { rule as backendWithoutForward } from './backend-without-forward.js';
import { rule as baseInGlobal } from './base-in-global.js';
import { rule as duplicateBase } from './duplicate-base.js';
import { rule as expressionSyntax } from './expression-syntax.js';
import { rule as hardcodedSecret } from './hardcoded-secret.js';
import { rule as invalidAttributeValue } from './invalid-attribute-value.js';
import { rule as missingBase } from './missing-base.js';
import { rule as missingRequiredAttribute } from './missing-required-attribute.js';
import { rule as policyInWrongSection } from './policy-in-wrong-section.js';
import { rule as policyParse } from './policy-parse.js';
import { rule as selfHostedInternalCache } from './self-hosted-internal-cache.js';
import { rule as selfHostedLocalCounters } from './self-hosted-local-counters.js';
import { rule as subscriptionNullDereference } from './subscription-null-dereference.js';
import { rule as undefinedBackend } from './undefined-backend.js';
import { rule as undefinedFragment } from './undefined-fragment.js';
import { rule as undefinedLogger } from './undefined-logger.js';
import { rule as undefinedNamedValue } from './undefined-named-value.js';
import { rule as unknownAttribute } from './unknown-attribute.js';
import { rule as unknownPolicy } from './unknown-policy.js';
import { rule as validateJwtClockSkew } from './validate-jwt-clock-skew.js';
import { rule as validateJwtUnsigned } from './validate-jwt-unsigned.js';

/** Every built-in rule. Adding one: a file in this folder and one line here. */
export const RULES: readonly LintRule[] = [
  policyParse,
  artifactError,
  missingBase,
  duplicateBase,
  baseInGlobal,
  backendWithoutForward,
  unknownPolicy,
  policyInWrongSection,
  unknownAttribute,
  missingRequiredAttribute,
  invalidAttributeValue,
  undefinedNamedValue,
  undefinedFragment,
  undefinedBackend,
  undefinedLogger,
  expressionSyntax,
  subscriptionNullDereference,
  hardcodedSecret,
  selfHostedInternalCache,
  selfHostedLocalCounters,
  validateJwtClockSkew,
  validateJwtUnsigned,
];

/** A rule by id. */
export function ruleById(id: string): LintRule | undefined {
  return RULES.find((r) => r.id === id);
}
