/**
 * The resource kinds of the artifact folder (ARTIFACT-FORMAT.md), one table. Every other part (paths,
 * reader, writer, diff, publish ordering, ARM mapping) reads this table instead of switching on kinds.
 *
 * Resource keys are service-relative ARM ids, e.g. `/apis/payments-api/operations/create-payment`,
 * `/apis/payments-api;rev=2`, `/workspaces/team-a/apis/orders`, `/policies/policy` (the global policy).
 * They are unique across kinds and map 1:1 to ARM URLs (`{service}{key}`).
 */

export const RESOURCE_KINDS = [
  'servicePolicy',
  'namedValue',
  'logger',
  'backend',
  'policyFragment',
  'versionSet',
  'tag',
  'group',
  'gateway',
  'workspace',
  'workspacePolicy',
  'diagnostic',
  'api',
  'apiPolicy',
  'apiOperation',
  'apiOperationPolicy',
  'apiDiagnostic',
  'apiRelease',
  'product',
  'productPolicy',
  'subscription',
] as const;
export type ResourceKind = (typeof RESOURCE_KINDS)[number];

export interface KindInfo {
  kind: ResourceKind;
  /** ARM collection segment under the parent (`apis`, `namedValues`, …); `policies` for policy kinds. */
  armCollection: string;
  /** The kind of the parent resource, for nested kinds (operation → api). Workspaces are handled by key prefix. */
  parent?: ResourceKind;
  /** Folder under the parent folder (`apis`, `namedValues`, `operations`, …); absent for policy kinds. */
  folder?: string;
  /** The YAML information file inside the resource's folder (`api.yaml`); absent for policy kinds. */
  file?: string;
  /** The kind carries policy XML (`policy.xml` in the owner's folder, or the fragment's own). */
  policy: boolean;
  /** Kinds that can live inside a workspace (`/workspaces/<ws>/…`). */
  inWorkspace: boolean;
}

export const KINDS: Readonly<Record<ResourceKind, KindInfo>> = {
  servicePolicy: { kind: 'servicePolicy', armCollection: 'policies', policy: true, inWorkspace: false },
  namedValue: { kind: 'namedValue', armCollection: 'namedValues', folder: 'namedValues', file: 'namedValue.yaml', policy: false, inWorkspace: true },
  logger: { kind: 'logger', armCollection: 'loggers', folder: 'loggers', file: 'logger.yaml', policy: false, inWorkspace: true },
  backend: { kind: 'backend', armCollection: 'backends', folder: 'backends', file: 'backend.yaml', policy: false, inWorkspace: true },
  policyFragment: { kind: 'policyFragment', armCollection: 'policyFragments', folder: 'policyFragments', file: 'policyFragment.yaml', policy: true, inWorkspace: true },
  versionSet: { kind: 'versionSet', armCollection: 'apiVersionSets', folder: 'versionSets', file: 'versionSet.yaml', policy: false, inWorkspace: true },
  tag: { kind: 'tag', armCollection: 'tags', folder: 'tags', file: 'tag.yaml', policy: false, inWorkspace: true },
  group: { kind: 'group', armCollection: 'groups', folder: 'groups', file: 'group.yaml', policy: false, inWorkspace: true },
  gateway: { kind: 'gateway', armCollection: 'gateways', folder: 'gateways', file: 'gateway.yaml', policy: false, inWorkspace: false },
  workspace: { kind: 'workspace', armCollection: 'workspaces', folder: 'workspaces', file: 'workspace.yaml', policy: false, inWorkspace: false },
  workspacePolicy: { kind: 'workspacePolicy', armCollection: 'policies', parent: 'workspace', policy: true, inWorkspace: false },
  diagnostic: { kind: 'diagnostic', armCollection: 'diagnostics', folder: 'diagnostics', file: 'diagnostic.yaml', policy: false, inWorkspace: true },
  api: { kind: 'api', armCollection: 'apis', folder: 'apis', file: 'api.yaml', policy: false, inWorkspace: true },
  apiPolicy: { kind: 'apiPolicy', armCollection: 'policies', parent: 'api', policy: true, inWorkspace: true },
  apiOperation: { kind: 'apiOperation', armCollection: 'operations', parent: 'api', folder: 'operations', file: 'operation.yaml', policy: false, inWorkspace: true },
  apiOperationPolicy: { kind: 'apiOperationPolicy', armCollection: 'policies', parent: 'apiOperation', policy: true, inWorkspace: true },
  apiDiagnostic: { kind: 'apiDiagnostic', armCollection: 'diagnostics', parent: 'api', folder: 'diagnostics', file: 'diagnostic.yaml', policy: false, inWorkspace: true },
  apiRelease: { kind: 'apiRelease', armCollection: 'releases', parent: 'api', folder: 'releases', file: 'release.yaml', policy: false, inWorkspace: true },
  product: { kind: 'product', armCollection: 'products', folder: 'products', file: 'product.yaml', policy: false, inWorkspace: true },
  productPolicy: { kind: 'productPolicy', armCollection: 'policies', parent: 'product', policy: true, inWorkspace: true },
  subscription: { kind: 'subscription', armCollection: 'subscriptions', folder: 'subscriptions', file: 'subscription.yaml', policy: false, inWorkspace: true },
};

/**
 * Publish order (creates/updates top-down, deletes bottom-up); kinds on one level do not depend on each
 * other and run in parallel. Policies come after everything they can reference: named values, fragments,
 * backends, loggers (ANCHORS.md §3.2: APIOps' ordering bugs are between exactly these).
 *
 *   namedValue ─┬─▶ policyFragment ─┐
 *   logger ─────┤   backend ────────┤
 *   versionSet ─┤   tag, group      ├─▶ api ─▶ operation ─▶ policies ─▶ product/gateway/tag links, releases
 *   workspace ──┘                   │
 */
export const DEPENDENCY_ORDER: readonly (readonly ResourceKind[])[] = [
  ['workspace', 'namedValue', 'logger', 'versionSet', 'tag', 'group'],
  ['policyFragment', 'backend', 'diagnostic'],
  ['servicePolicy', 'workspacePolicy', 'api', 'product'],
  ['apiOperation', 'apiDiagnostic', 'gateway', 'subscription'],
  ['apiPolicy', 'apiOperationPolicy', 'productPolicy', 'apiRelease'],
];

/** Kinds whose properties may hold secrets: never written by extract, masked as *** when printed. */
export const SECRET_FIELDS: Partial<Record<ResourceKind, readonly string[]>> = {
  namedValue: ['value'],
  subscription: ['primaryKey', 'secondaryKey'],
  logger: ['credentials'],
  backend: ['credentials.authorization.parameter', 'credentials.header', 'credentials.query'],
};

/**
 * The named value where `publish` records the last deployed commit in the service itself, so every
 * pipeline agrees where an environment stands. apimops owns it: extract never writes it to a folder and
 * diff never counts it as a change.
 */
export const DEPLOYMENT_MARKER_NAME = 'apimops-last-deployed';
