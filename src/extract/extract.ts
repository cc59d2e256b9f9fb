/**
 * The extract service: live service → `ApimState` (src/arm/dump.ts) → artifact folder (the artifacts
 * writer, atomic temp-folder swap). No file is written unless every selected resource was read: a failed
 * extract leaves the previous folder exactly as it was. A filtered extract replaces only what the filter
 * covers: the folder's other resources are read and kept (never "a filtered extract deleted everything
 * else", Azure/apiops #178/#410), and link lists never point at resources the folder does not have.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { createArmClient, type ArmResponseEvent, type ArmTargetOptions } from '../arm/client.js';
import { dumpService, type DumpEvent, type DumpFailure } from '../arm/dump.js';
import { mapArmError } from '../arm/errors.js';
import { createAdaptiveLimiter } from '../arm/limiter.js';
import { folderSource } from '../artifacts/folder-source.js';
import { RESOURCE_KINDS, type ResourceKind } from '../artifacts/kinds.js';
import { allResources, emptyState, putResource, type ApimState, type Resource } from '../artifacts/model.js';
import { readArtifacts } from '../artifacts/reader.js';
import { writeArtifacts } from '../artifacts/writer.js';
import { DiagnosticsError } from '../shared/errors.js';
import { filterIsAll, filterSelects, type ExtractFilter } from './filter.js';

/** Events for progress reporters (src/cli/output/). */
export type ExtractEvent =
  | { type: 'start'; service: string; out: string; parallelism: number }
  | DumpEvent
  | { type: 'response'; status: number; throttled: boolean; limit: number }
  | { type: 'writing'; resources: number }
  | { type: 'done'; result: ExtractResult };

/** What to extract, from where, into where. */
export interface ExtractOptions {
  target: ArmTargetOptions;
  env: NodeJS.ProcessEnv;
  /** The artifact folder to (re)write. */
  out: string;
  filter: ExtractFilter;
  specFormat?: 'openapi+yaml' | 'openapi+json';
  /** Concurrent ARM calls (default 8). */
  parallelism?: number;
  /** Schema location for the `$schema` line (default: what the folder uses, else the package's). */
  schemaBase?: string;
  onEvent?: (event: ExtractEvent) => void;
  /** Monotonic milliseconds (injected by tests). */
  clock?: () => number;
  /** First wait before repeating a read that hit 409 "in progress" (default 500 ms; tests shorten it). */
  conflictRetryDelayMs?: number;
}

/** The outcome: counts, files, failures, and the numbers the progress summary and `--output json` print. */
export interface ExtractResult {
  ok: boolean;
  out: string;
  /** Resources read from the service, per kind. */
  extracted: Partial<Record<ResourceKind, number>>;
  /** Resources that could not be read (nothing was written when there are any). */
  failures: DumpFailure[];
  files: { written: number; removed: number; changed: boolean };
  calls: number;
  throttled: number;
  backoffs: number;
  peakParallel: number;
  elapsedMs: number;
}

/** Drops link-list entries that point at resources the state does not have (same scope). */
export function pruneDanglingLinks(state: ApimState): void {
  const fields: [ResourceKind, string, string][] = [
    ['product', 'apis', 'apis'],
    ['product', 'groups', 'groups'],
    ['gateway', 'apis', 'apis'],
    ['tag', 'apis', 'apis'],
    ['tag', 'products', 'products'],
  ];
  for (const [kind, field, collection] of fields) {
    for (const r of state[kind].values()) {
      const list = r.properties[field];
      if (!Array.isArray(list)) continue;
      const prefix = r.workspace ? `/workspaces/${r.workspace}` : '';
      const targetKind: ResourceKind = collection === 'apis' ? 'api' : collection === 'groups' ? 'group' : 'product';
      r.properties[field] = list.filter((n) => typeof n === 'string' && (state[targetKind].has(`${prefix}/${collection}/${n}`) || (prefix !== '' && state[targetKind].has(`/${collection}/${n}`))));
    }
  }
}

/**
 * The state to write for a filtered extract: the folder's resources outside the filter, plus everything
 * extracted. Resources the filter covers but the service no longer has are gone.
 */
export async function mergeWithFolder(extracted: ApimState, out: string, filter: ExtractFilter): Promise<ApimState> {
  if (filterIsAll(filter) || !existsSync(out)) return extracted;
  const { state: existing, diagnostics } = await readArtifacts(folderSource(out), { checkReferences: false, checkPolicies: false });
  const errors = diagnostics.filter((d) => d.severity !== 'warn' && d.severity !== 'info');
  if (errors.length > 0) {
    throw new DiagnosticsError(
      'E_ARTIFACT',
      `${out} cannot be read, and a filtered extract must keep the resources outside the filter: fix these files or extract into another folder`,
      errors,
    );
  }
  const merged = emptyState();
  for (const r of allResources(existing)) if (!filterSelects(filter, r.key)) putResource(merged, r);
  for (const r of allResources(extracted)) putResource(merged, r as Resource);
  return merged;
}

/** Runs an extract. Throws `UserError` when the service cannot be reached at all; otherwise returns a result. */
export async function runExtract(options: ExtractOptions): Promise<ExtractResult> {
  const clock = options.clock ?? (() => performance.now());
  const started = clock();
  const parallelism = options.parallelism ?? 8;
  const limiter = createAdaptiveLimiter(parallelism);
  const out = resolve(options.out);
  const emit = (e: ExtractEvent) => options.onEvent?.(e);
  let calls = 0;
  let throttled = 0;

  const arm = createArmClient(
    {
      ...options.target,
      onResponse: (e: ArmResponseEvent) => {
        calls++;
        const isThrottle = e.status === 429;
        if (isThrottle) {
          throttled++;
          limiter.throttled();
        } else if (e.status < 300) limiter.succeeded();
        options.target.onResponse?.(e);
        emit({ type: 'response', status: e.status, throttled: isThrottle, limit: limiter.limit });
      },
    },
    options.env,
  );
  emit({ type: 'start', service: arm.serviceId, out, parallelism });

  // One cheap call first: a wrong name or a missing role is one clear error, not a hundred.
  try {
    await arm.request('GET', '');
  } catch (err) {
    throw mapArmError(err, { op: 'get', kind: 'service', name: options.target.serviceName, scope: arm.serviceId });
  }

  const { state, failures } = await dumpService(arm, {
    selects: (key) => filterSelects(options.filter, key),
    specFormat: options.specFormat ?? 'openapi+yaml',
    deriveOperations: false,
    ...(options.conflictRetryDelayMs !== undefined ? { conflictRetryDelayMs: options.conflictRetryDelayMs } : {}),
    limiter,
    onEvent: emit,
  });

  const extracted: Partial<Record<ResourceKind, number>> = {};
  for (const kind of RESOURCE_KINDS) {
    const n = [...state[kind].values()].filter((r) => !r.fromSpecification).length;
    if (n > 0) extracted[kind] = n;
  }
  const result: ExtractResult = {
    ok: failures.length === 0,
    out,
    extracted,
    failures,
    files: { written: 0, removed: 0, changed: false },
    calls,
    throttled,
    backoffs: limiter.backoffs,
    peakParallel: limiter.peak,
    elapsedMs: 0,
  };
  if (failures.length === 0) {
    const merged = await mergeWithFolder(state, out, options.filter);
    pruneDanglingLinks(merged);
    emit({ type: 'writing', resources: [...allResources(merged)].length });
    result.files = await writeArtifacts(merged, out, options.schemaBase ? { schemaBase: options.schemaBase } : {});
  }
  result.calls = calls;
  result.throttled = throttled;
  result.backoffs = limiter.backoffs;
  result.peakParallel = limiter.peak;
  result.elapsedMs = Math.round(clock() - started);
  emit({ type: 'done', result });
  return result;
}
