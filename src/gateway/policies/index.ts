/**
 * The policy registry: XML element name → implementation. Adding a policy = one file + one line here
 * (STYLE.md convention 2). An element not in this table fails the load with its position.
 */
import type { PolicyModule } from './types.js';
import { authenticationBasic } from './authentication-basic.js';
import { checkHeader } from './check-header.js';
import { choose } from './choose.js';
import { cors } from './cors.js';
import { emitMetric } from './emit-metric.js';
import { findAndReplace } from './find-and-replace.js';
import { forwardRequest } from './forward-request.js';
import { includeFragment } from './include-fragment.js';
import { ipFilter } from './ip-filter.js';
import { logToEventhub } from './log-to-eventhub.js';
import { mockResponse } from './mock-response.js';
import { returnResponse } from './return-response.js';
import { rewriteUri } from './rewrite-uri.js';
import { sendRequest } from './send-request.js';
import { setBackendService } from './set-backend-service.js';
import { setBody } from './set-body.js';
import { setHeader } from './set-header.js';
import { setMethod } from './set-method.js';
import { setQueryParameter } from './set-query-parameter.js';
import { setStatus } from './set-status.js';
import { setVariable } from './set-variable.js';
import { trace } from './trace.js';

export * from './types.js';

const modules: PolicyModule[] = [
  // gateway core (issue 5)
  authenticationBasic,
  checkHeader,
  choose,
  cors,
  emitMetric,
  findAndReplace,
  forwardRequest,
  includeFragment,
  ipFilter,
  logToEventhub,
  mockResponse,
  returnResponse,
  rewriteUri,
  sendRequest,
  setBackendService,
  setBody,
  setHeader,
  setMethod,
  setQueryParameter,
  setStatus,
  setVariable,
  trace,
  // traffic & security (issue 6) — validate-jwt, rate-limit*, quota*, cache-*, retry, limit-concurrency: one line each
];

/** Element name → module. */
export const POLICIES: ReadonlyMap<string, PolicyModule> = new Map(modules.map((m) => [m.name, m]));
