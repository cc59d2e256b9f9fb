import type { SectionName } from '../policy/index.js';

/**
 * What lint knows about each policy element (POLICY-ENGINE.md §5): where it may appear, its attributes,
 * which are required, and which literal values they take. One table, read by the `unknown-policy`,
 * `policy-in-wrong-section`, `unknown-attribute`, `missing-required-attribute` and
 * `invalid-attribute-value` rules.
 */

export type AttributeType = 'string' | 'bool' | 'int' | { enum: readonly string[] };

export interface AttributeSpec {
  type?: AttributeType;
  required?: boolean;
  /** APIM rejects a policy expression in this attribute ("Policy expressions aren't allowed"). */
  noExpression?: boolean;
}

/** A policy scope as lint names it. */
export type PolicyScopeKind = 'global' | 'workspace' | 'product' | 'api' | 'operation';

export interface PolicySpec {
  sections: readonly SectionName[];
  attributes: Readonly<Record<string, AttributeSpec>>;
  /** Groups of attributes of which at least one must be present (e.g. validate-jwt's token source). */
  oneOf?: readonly (readonly string[])[];
  /** Child elements that are themselves policies (checked recursively): `when`/`otherwise` bodies, `retry`. */
  policyChildren?: boolean;
  /** Attributes are not checked (AI-gateway and other policies whose attribute lists move quickly). */
  open?: boolean;
  /** Scopes the policy is allowed at, when narrower than all. */
  scopes?: readonly PolicyScopeKind[];
}

const ALL: readonly SectionName[] = ['inbound', 'backend', 'outbound', 'on-error'];
const I: readonly SectionName[] = ['inbound'];
const B = 'bool' as const;
const N = 'int' as const;
const req = (type: AttributeType = 'string'): AttributeSpec => ({ type, required: true });
const opt = (type: AttributeType = 'string'): AttributeSpec => ({ type });
const en = (...values: string[]): AttributeType => ({ enum: values });
const lit = (spec: AttributeSpec): AttributeSpec => ({ ...spec, noExpression: true });
const RATE_HEADERS = {
  'retry-after-header-name': lit(opt()),
  'retry-after-variable-name': lit(opt()),
  'remaining-calls-header-name': lit(opt()),
  'remaining-calls-variable-name': lit(opt()),
  'total-calls-header-name': lit(opt()),
};
const CACHING_TYPE = lit(opt(en('internal', 'external', 'prefer-external')));
const VALIDATION_ACTION = en('ignore', 'prevent', 'detect');

export const POLICY_CATALOG: Readonly<Record<string, PolicySpec>> = {
  base: { sections: ALL, attributes: {} },
  choose: { sections: ALL, attributes: {}, policyChildren: true },
  'set-variable': { sections: ALL, attributes: { name: lit(req()), value: req() } },
  'include-fragment': { sections: ALL, attributes: { 'fragment-id': lit(req()) } },
  retry: {
    sections: ALL,
    policyChildren: true,
    attributes: { condition: req(B), count: req(N), interval: req(N), 'max-interval': opt(N), delta: opt(N), 'first-fast-retry': opt(B) },
  },
  'return-response': { sections: ALL, attributes: { 'response-variable-name': lit(opt()) } },
  'mock-response': { sections: ['inbound', 'outbound', 'on-error'], attributes: { 'status-code': opt(N), 'content-type': opt(), index: lit(opt(N)) } },
  'limit-concurrency': { sections: ALL, policyChildren: true, attributes: { key: req(), 'max-count': lit(req(N)) } },
  trace: { sections: ['inbound', 'outbound', 'backend'], attributes: { source: lit(req()), severity: lit(opt(en('verbose', 'information', 'error'))) } },
  'log-to-eventhub': { sections: ALL, attributes: { 'logger-id': lit(req()), 'partition-id': lit(opt(N)), 'partition-key': opt() } },
  'emit-metric': { sections: ALL, attributes: { name: lit(req()), namespace: lit(opt()), value: opt() } },
  'set-header': { sections: ALL, attributes: { name: req(), 'exists-action': opt(en('override', 'skip', 'append', 'delete')) } },
  'set-query-parameter': { sections: ['inbound', 'backend'], attributes: { name: req(), 'exists-action': opt(en('override', 'skip', 'append', 'delete')) } },
  'set-method': { sections: ['inbound', 'on-error'], attributes: {} },
  'set-status': { sections: ALL, attributes: { code: req(N), reason: opt() } },
  'set-body': { sections: ['inbound', 'outbound', 'backend'], attributes: { template: opt(en('liquid')), 'xsi-nil': lit(opt(en('blank', 'null'))), 'parse-date': opt(B) } },
  'rewrite-uri': { sections: I, attributes: { template: req(), 'copy-unmatched-params': opt(B) } },
  'set-backend-service': {
    sections: ['inbound', 'backend'],
    oneOf: [['base-url', 'backend-id']],
    attributes: {
      'base-url': opt(),
      'backend-id': opt(),
      'sf-resolve-condition': opt(),
      'sf-service-instance-name': opt(),
      'sf-partition-key': opt(),
      'sf-replica-type': opt(en('primary', 'secondary')),
      'sf-listener-name': opt(),
      'dapr-app-id': opt(),
      'dapr-method': opt(),
      'dapr-namespace': opt(),
    },
  },
  'forward-request': {
    sections: ['backend'],
    attributes: {
      timeout: opt(N),
      'timeout-ms': opt(N),
      'continue-timeout': opt(N),
      'http-version': lit(opt(en('1', '2', '2or1'))),
      'follow-redirects': opt(B),
      'buffer-request-body': lit(opt(B)),
      'buffer-response': lit(opt(B)),
      'fail-on-error-status-code': lit(opt(B)),
    },
  },
  'send-request': {
    sections: ALL,
    attributes: { mode: opt(en('new', 'copy')), 'response-variable-name': lit(opt()), timeout: opt(N), 'ignore-error': lit(opt(B)) },
  },
  'send-one-way-request': { sections: ALL, attributes: { mode: opt(en('new', 'copy')), timeout: opt(N) } },
  'find-and-replace': { sections: ALL, attributes: { from: req(), to: req() } },
  'json-to-xml': {
    sections: ['inbound', 'outbound', 'on-error'],
    attributes: {
      apply: req(en('always', 'content-type-json')),
      'consider-accept-header': opt(B),
      'parse-date': lit(opt(B)),
      'namespace-separator': opt(),
      'namespace-prefix': opt(),
      'attribute-block-name': opt(),
    },
  },
  'xml-to-json': {
    sections: ['inbound', 'outbound', 'on-error'],
    attributes: {
      kind: req(en('javascript-friendly', 'direct')),
      apply: req(en('always', 'content-type-xml')),
      'consider-accept-header': opt(B),
      'always-array-child-elements': opt(B),
    },
  },
  'authentication-basic': { sections: I, attributes: { username: req(), password: req() } },
  'authentication-certificate': {
    sections: I,
    oneOf: [['thumbprint', 'certificate-id', 'body']],
    attributes: { thumbprint: opt(), 'certificate-id': opt(), body: opt(), password: opt() },
  },
  'authentication-managed-identity': {
    sections: ['inbound', 'outbound'],
    attributes: { resource: req(), 'client-id': lit(opt()), 'output-token-variable-name': lit(opt()), 'ignore-error': opt(B) },
  },
  'validate-jwt': {
    sections: I,
    oneOf: [['header-name', 'query-parameter-name', 'token-value']],
    attributes: {
      'header-name': opt(),
      'query-parameter-name': opt(),
      'token-value': opt(),
      'failed-validation-httpcode': opt(N),
      'failed-validation-error-message': opt(),
      'require-expiration-time': opt(B),
      'require-scheme': opt(),
      'require-signed-tokens': opt(B),
      'clock-skew': opt(N),
      'output-token-variable-name': lit(opt()),
    },
  },
  'validate-azure-ad-token': {
    sections: I,
    attributes: {
      'tenant-id': req(),
      'header-name': opt(),
      'query-parameter-name': opt(),
      'token-value': opt(),
      'failed-validation-httpcode': opt(N),
      'failed-validation-error-message': opt(),
      'output-token-variable-name': lit(opt()),
    },
  },
  'check-header': {
    sections: I,
    attributes: { name: req(), 'failed-check-httpcode': req(N), 'failed-check-error-message': req(), 'ignore-case': req(B) },
  },
  'ip-filter': { sections: I, attributes: { action: req(en('allow', 'forbid')) } },
  cors: { sections: I, attributes: { 'allow-credentials': opt(B), 'terminate-unmatched-request': opt(B) } },
  'cross-domain': { sections: I, attributes: {} },
  jsonp: { sections: ['outbound'], attributes: { 'callback-parameter-name': lit(req()) } },
  'rate-limit': {
    sections: I,
    scopes: ['product', 'api', 'operation'],
    attributes: { calls: lit(req(N)), 'renewal-period': lit(req(N)), ...RATE_HEADERS },
  },
  'rate-limit-by-key': {
    sections: I,
    attributes: {
      calls: req(N),
      'renewal-period': req(N),
      'counter-key': req(),
      'increment-condition': opt(B),
      'increment-count': opt(N),
      'increment-after-response': opt(B),
      ...RATE_HEADERS,
    },
  },
  quota: {
    sections: I,
    scopes: ['product'],
    oneOf: [['calls', 'bandwidth']],
    attributes: { calls: lit(opt(N)), bandwidth: lit(opt(N)), 'renewal-period': lit(req(N)) },
  },
  'quota-by-key': {
    sections: I,
    oneOf: [['calls', 'bandwidth']],
    attributes: {
      calls: lit(opt(N)),
      bandwidth: lit(opt(N)),
      'counter-key': req(),
      'increment-condition': opt(B),
      'increment-count': opt(N),
      'renewal-period': lit(req(N)),
      'first-period-start': lit(opt()),
    },
  },
  'cache-lookup': {
    sections: I,
    attributes: {
      'vary-by-developer': req(B),
      'vary-by-developer-groups': req(B),
      'caching-type': CACHING_TYPE,
      'downstream-caching-type': opt(en('none', 'private', 'public')),
      'must-revalidate': opt(B),
      'allow-private-response-caching': opt(B),
    },
  },
  'cache-store': { sections: ['outbound'], attributes: { duration: req(N), 'cache-response': opt(B) } },
  'cache-lookup-value': {
    sections: ALL,
    attributes: { key: req(), 'variable-name': lit(req()), 'default-value': opt(), 'caching-type': CACHING_TYPE },
  },
  'cache-store-value': { sections: ALL, attributes: { key: req(), value: req(), duration: req(N), 'caching-type': CACHING_TYPE } },
  'cache-remove-value': { sections: ALL, attributes: { key: req(), 'caching-type': CACHING_TYPE } },
  'validate-content': {
    sections: ['inbound', 'outbound', 'on-error'],
    attributes: {
      'unspecified-content-type-action': req(VALIDATION_ACTION),
      'max-size': req(N),
      'size-exceeded-action': req(VALIDATION_ACTION),
      'errors-variable-name': lit(opt()),
    },
  },
  'validate-parameters': {
    sections: I,
    attributes: {
      'specified-parameter-action': req(VALIDATION_ACTION),
      'unspecified-parameter-action': req(VALIDATION_ACTION),
      'errors-variable-name': lit(opt()),
    },
  },
  'validate-headers': {
    sections: ['outbound', 'on-error'],
    attributes: {
      'specified-header-action': req(VALIDATION_ACTION),
      'unspecified-header-action': req(VALIDATION_ACTION),
      'errors-variable-name': lit(opt()),
    },
  },
  'validate-status-code': {
    sections: ['outbound', 'on-error'],
    attributes: { 'unspecified-status-code-action': req(VALIDATION_ACTION), 'errors-variable-name': lit(opt()) },
  },
  wait: { sections: ['inbound', 'backend', 'outbound'], policyChildren: true, attributes: { for: opt(en('all', 'any')) } },
  'get-authorization-context': {
    sections: I,
    attributes: {
      'provider-id': req(),
      'authorization-id': req(),
      'context-variable-name': lit(req()),
      'identity-type': opt(en('managed', 'jwt')),
      identity: opt(),
      'ignore-error': opt(B),
    },
  },
  'redirect-content-urls': { sections: ['inbound', 'outbound'], attributes: {} },
  'xsl-transform': { sections: ['inbound', 'outbound'], attributes: {}, open: true },
  proxy: { sections: I, attributes: { url: req(), username: opt(), password: opt() } },
  'publish-to-dapr': { sections: ALL, attributes: {}, open: true },
  'invoke-dapr-binding': { sections: ALL, attributes: {}, open: true },
  'send-service-bus-message': { sections: ALL, attributes: {}, open: true },
  'azure-openai-emit-token-metric': { sections: I, attributes: {}, open: true },
  'azure-openai-token-limit': { sections: I, attributes: {}, open: true },
  'azure-openai-semantic-cache-lookup': { sections: I, attributes: {}, open: true },
  'azure-openai-semantic-cache-store': { sections: ['outbound'], attributes: {}, open: true },
  'llm-emit-token-metric': { sections: I, attributes: {}, open: true },
  'llm-token-limit': { sections: I, attributes: {}, open: true },
  'llm-semantic-cache-lookup': { sections: I, attributes: {}, open: true },
  'llm-semantic-cache-store': { sections: ['outbound'], attributes: {}, open: true },
  'llm-content-safety': { sections: I, attributes: {}, open: true },
};

/** Children of these elements are policies too (beyond `policyChildren` policies). */
export const POLICY_CONTAINERS: ReadonlySet<string> = new Set(['when', 'otherwise']);

/** The catalog as a map: asked once per policy element of every file. */
const SPECS: ReadonlyMap<string, PolicySpec> = new Map(Object.entries(POLICY_CATALOG));

/** The spec of a policy element, if lint knows it. */
export function policySpec(name: string): PolicySpec | undefined {
  return SPECS.get(name);
}
