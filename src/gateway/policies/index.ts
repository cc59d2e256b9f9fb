/**
 * The policy registry: XML element name → implementation. Adding a policy = one file + one line here
 * (STYLE.md convention 2). An element not in this table fails the load with its position.
 */
import type { PolicyModule } from './types.js';
import { authenticationBasic } from './authentication-basic.js';
import { authenticationManagedIdentity } from './authentication-managed-identity.js';
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
import { jsonToXml } from './json-to-xml.js';
import { validateContent } from './validate-content.js';
import { validateHeaders } from './validate-headers.js';
import { validateParameters } from './validate-parameters.js';
import { validateStatusCode } from './validate-status-code.js';
import { xmlToJson } from './xml-to-json.js';
import { cacheLookup } from './cache-lookup.js';
import { cacheLookupValue } from './cache-lookup-value.js';
import { cacheRemoveValue } from './cache-remove-value.js';
import { cacheStore } from './cache-store.js';
import { cacheStoreValue } from './cache-store-value.js';
import { limitConcurrency } from './limit-concurrency.js';
import { quota } from './quota.js';
import { quotaByKey } from './quota-by-key.js';
import { rateLimit } from './rate-limit.js';
import { rateLimitByKey } from './rate-limit-by-key.js';
import { retry } from './retry.js';
import { validateAzureAdToken } from './validate-azure-ad-token.js';
import { validateJwt } from './validate-jwt.js';
import { authenticationCertificate } from './authentication-certificate.js';
import { sendOneWayRequest } from './send-one-way-request.js';
import { wait } from './wait.js';

export * from './types.js';

const modules: PolicyModule[] = [
  // gateway core (issue 5)
  authenticationBasic,
  authenticationManagedIdentity,
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
  jsonToXml,
  xmlToJson,
  validateContent,
  validateHeaders,
  validateParameters,
  validateStatusCode,
  // traffic & security (issue 6)
  cacheLookup,
  cacheLookupValue,
  cacheRemoveValue,
  cacheStore,
  cacheStoreValue,
  limitConcurrency,
  quota,
  quotaByKey,
  rateLimit,
  rateLimitByKey,
  retry,
  validateAzureAdToken,
  validateJwt,
  // issue 5, the remaining gaps
  authenticationCertificate,
  sendOneWayRequest,
  wait,
];

/** Element name → module. */
export const POLICIES: ReadonlyMap<string, PolicyModule> = new Map(modules.map((m) => [m.name, m]));
