/**
 * A test double for `ExpressionContext`: a complete, realistic context (a POST to the payments API with
 * headers, a query, a subscription, a product…) with any part overridable.
 *
 * @example
 *   const ctx = createTestContext({ headers: { Authorization: 'Bearer x' }, variables: { n: 1 } });
 *   compileExpression('@(context.Variables["n"])').evaluate(ctx); // 1
 */
import type { ExpressionContext, IApi, IDeployment, ILastError, IOperation, IProduct, IRequest, IResponse, ISubscription, IUser } from './context.js';
import { MessageBody } from './body.js';
import { CsUrl } from './url.js';
import { CsDateTime, CsDictionary, CsGuid, CsTimeSpan } from './values.js';

export interface TestContextOverrides {
  method?: string;
  /** Incoming URL (also the backend URL unless `backendUrl` is given). */
  url?: string;
  backendUrl?: string;
  headers?: Record<string, string | string[]>;
  /** Request body (text); `null` for no body. */
  body?: string | null;
  ipAddress?: string;
  matchedParameters?: Record<string, string>;
  variables?: Record<string, unknown>;
  response?: { statusCode?: number; statusReason?: string; headers?: Record<string, string | string[]>; body?: string | null } | null;
  subscription?: Partial<ISubscription> | null;
  user?: Partial<IUser> | null;
  product?: Partial<IProduct> | null;
  api?: Partial<IApi> | null;
  operation?: Partial<IOperation> | null;
  deployment?: Partial<IDeployment>;
  lastError?: ILastError | null;
  requestId?: string;
  /** Epoch ms of `context.Timestamp`. */
  timestamp?: number;
  elapsedMs?: number;
  tracing?: boolean;
}

/** A trace entry recorded by `context.Trace`. */
export interface TraceEntry {
  source: string | undefined;
  message: string;
}

/** Builds a test context; `traces` collects `context.Trace(...)` calls. */
export function createTestContext(o: TestContextOverrides = {}): ExpressionContext & { traces: TraceEntry[] } {
  const headers = CsDictionary.headers(Object.entries(o.headers ?? { 'Content-Type': 'application/json', Accept: '*/*' }));
  const url = o.url ?? 'https://contoso.azure-api.net/payments/v1/payments?currency=EUR&amount=10';
  const request: IRequest = {
    Method: o.method ?? 'POST',
    Url: CsUrl.parse(o.backendUrl ?? url),
    OriginalUrl: CsUrl.parse(url),
    Headers: headers,
    Body: o.body === null ? null : new MessageBody(o.body ?? '{"amount":10,"currency":"EUR"}'),
    IpAddress: o.ipAddress ?? '203.0.113.7',
    MatchedParameters: CsDictionary.of(o.matchedParameters ?? {}, 'ignoreCase', true),
    Certificate: null,
    PrivateEndpointConnection: null,
  };
  const r = o.response;
  const response: IResponse | null =
    r === null
      ? null
      : {
          StatusCode: r?.statusCode ?? 200,
          StatusReason: r?.statusReason ?? 'OK',
          Headers: CsDictionary.headers(Object.entries(r?.headers ?? {})),
          Body: r?.body === null ? null : new MessageBody(r?.body ?? ''),
        };
  const created = CsDateTime.fromParts(2024, 1, 15, 9, 30, 0, 0, 'Utc');
  const subscription: ISubscription | null =
    o.subscription === null
      ? null
      : { Id: 'sub-1', Key: 'key-primary', Name: 'payments-sub', PrimaryKey: 'key-primary', SecondaryKey: 'key-secondary', CreatedDate: created, StartDate: null, EndDate: null, ...o.subscription };
  const user: IUser | null =
    o.user === null
      ? null
      : { Id: 'user-1', Email: 'ada@example.com', FirstName: 'Ada', LastName: 'Lovelace', Note: '', RegistrationDate: created, Groups: [{ Id: 'developers', Name: 'Developers' }], Identities: [{ Id: 'ada', Provider: 'Basic' }], ...o.user };
  const api: IApi | null =
    o.api === null
      ? null
      : { Id: 'payments-api', Name: 'Payments API', Path: 'payments', Protocols: ['https'], ServiceUrl: CsUrl.parse('https://backend.example.com/api'), SubscriptionKeyParameterNames: { Header: 'Ocp-Apim-Subscription-Key', Query: 'subscription-key' }, IsCurrentRevision: true, Revision: '1', Version: 'v1', ...o.api };
  const product: IProduct | null =
    o.product === null
      ? null
      : { Id: 'premium', Name: 'Premium', Apis: api ? [api] : [], ApprovalRequired: false, Groups: [], State: 'Published', SubscriptionLimit: null, SubscriptionRequired: true, ...o.product };
  const operation: IOperation | null =
    o.operation === null ? null : { Id: 'create-payment', Method: 'POST', Name: 'Create payment', UrlTemplate: '/payments', ...o.operation };
  const deployment: IDeployment = {
    Region: 'West Europe', ServiceName: 'contoso', ServiceId: '/subscriptions/0000/resourceGroups/rg/providers/Microsoft.ApiManagement/service/contoso',
    GatewayId: 'managed', Gateway: { Id: 'managed', IsManaged: true, InstanceId: 'local' }, Certificates: new CsDictionary('ordinal', true), ...o.deployment,
  };
  const traces: TraceEntry[] = [];
  return {
    Request: request,
    Response: response,
    Variables: CsDictionary.of(o.variables ?? {}, 'ordinal', true),
    Subscription: subscription,
    User: user,
    Product: product,
    Api: api,
    Operation: operation,
    Deployment: deployment,
    LastError: o.lastError ?? null,
    RequestId: CsGuid.parse(o.requestId ?? '6f1e9a3c-52b4-4d0e-9f7a-1c2d3e4f5a6b'),
    Timestamp: CsDateTime.fromEpochMs(o.timestamp ?? Date.UTC(2024, 5, 1, 12, 0, 0), 'Utc'),
    Elapsed: CsTimeSpan.fromMs(o.elapsedMs ?? 15),
    Tracing: o.tracing ?? false,
    Trace(source: string | undefined, message: string) {
      traces.push({ source, message });
    },
    traces,
  };
}
