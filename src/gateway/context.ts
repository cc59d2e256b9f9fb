/**
 * The expression `context` object (POLICY-ENGINE.md §6.3) as a live view over a `RequestState`: every
 * member reads the state when it is accessed, so a header set by `set-header` is visible to the next
 * expression without copying anything per policy.
 */
import type { ExpressionContext, IApi, IDeployment, ILastError, IOperation, IProduct, IRequest, IResponse, ISubscription, IUser } from '../expressions/context.js';
import { MessageBody } from '../expressions/body.js';
import { CsUrl } from '../expressions/url.js';
import { CsDateTime, CsDictionary, CsGuid, CsTimeSpan } from '../expressions/values.js';
import type { BodyHolder } from './body.js';
import type { HeaderBag } from './headers.js';
import type { PipelineResponse, RequestState } from './state.js';

/** The context of a request (created once per request, on first use). */
export function contextOf(state: RequestState): ExpressionContext {
  let c = state.context as ExpressionContext | undefined;
  if (!c) {
    c = new GatewayContext(state);
    state.context = c;
  }
  return c;
}

/** The read-only header dictionary expressions see: a live view over the bag (no copy). */
function headersView(h: HeaderBag): CsDictionary<string[]> {
  return h.dictionary();
}

const bodyCache = new WeakMap<BodyHolder, { bytes: Buffer; body: MessageBody }>();

/** `IMessageBody` over a body holder; null when there is no (buffered) body. */
export function bodyView(holder: BodyHolder): MessageBody | null {
  const bytes = holder.buffered;
  if (!bytes || bytes.length === 0) return null;
  const cached = bodyCache.get(holder);
  if (cached && cached.bytes === bytes) return cached.body;
  const body = new MessageBody(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength), () => holder.set(undefined));
  bodyCache.set(holder, { bytes, body });
  return body;
}

/** `IResponse` over a pipeline response (also what send-request stores in its variable). */
export function responseView(r: PipelineResponse): IResponse {
  return {
    get StatusCode() {
      return r.statusCode;
    },
    get StatusReason() {
      return r.statusReason;
    },
    get Headers() {
      return headersView(r.headers);
    },
    get Body() {
      return bodyView(r.body);
    },
  };
}

/** `context.Request`: prototype getters over the live request (cheap to create per request). */
class RequestView implements IRequest {
  Certificate = null;
  PrivateEndpointConnection = null;
  constructor(private readonly s: RequestState) {}
  get Method(): string {
    return this.s.request.method;
  }
  get Url(): CsUrl {
    return CsUrl.parse(this.s.request.url.toString());
  }
  get OriginalUrl(): CsUrl {
    return CsUrl.parse(this.s.request.originalUrl.toString());
  }
  get Headers(): CsDictionary<string[]> {
    return headersView(this.s.request.headers);
  }
  get Body(): MessageBody | null {
    return bodyView(this.s.request.body);
  }
  get IpAddress(): string {
    return this.s.request.ipAddress;
  }
  get MatchedParameters(): CsDictionary<string> {
    return CsDictionary.of(this.s.request.matchedParameters, 'ignoreCase', true);
  }
}

class GatewayContext implements ExpressionContext {
  private readonly state: RequestState;
  private readonly requestView: IRequest;
  constructor(state: RequestState) {
    this.state = state;
    this.requestView = new RequestView(state);
  }
  get Request(): IRequest {
    return this.requestView;
  }
  get Response(): IResponse | null {
    return responseView(this.state.response);
  }
  get Variables(): CsDictionary<unknown> {
    return this.state.variables;
  }
  get Subscription(): ISubscription | null {
    const s = this.state.route.subscription;
    if (!s) return null;
    const created = CsDateTime.fromEpochMs ? CsDateTime.fromEpochMs(0) : (null as unknown as CsDateTime);
    return { Id: s.id, Key: s.key, Name: s.displayName, PrimaryKey: s.primaryKey, SecondaryKey: s.secondaryKey, CreatedDate: created, StartDate: null, EndDate: null };
  }
  get User(): IUser | null {
    const s = this.state.route.subscription;
    if (!s?.userId) return null;
    const id = s.userId.split('/').pop() ?? s.userId;
    return { Id: id, Email: '', FirstName: '', LastName: '', Note: '', RegistrationDate: CsDateTime.fromEpochMs(0), Groups: [], Identities: [] };
  }
  get Product(): IProduct | null {
    const p = this.state.route.product;
    if (!p) return null;
    return {
      Id: p.id,
      Name: p.displayName,
      Apis: [],
      ApprovalRequired: p.approvalRequired,
      Groups: p.groups.map((g) => ({ Id: g, Name: g })),
      State: p.state.toLowerCase() === 'published' ? 'Published' : 'NotPublished',
      SubscriptionLimit: p.subscriptionLimit ?? null,
      SubscriptionRequired: p.subscriptionRequired,
    };
  }
  get Api(): IApi | null {
    const a = this.state.route.api;
    return {
      Id: a.id,
      Name: a.displayName,
      Path: a.path,
      Protocols: [...a.protocols],
      ServiceUrl: CsUrl.parse(a.serviceUrl ?? 'http://localhost/'),
      SubscriptionKeyParameterNames: { Header: a.subscriptionKeyHeader, Query: a.subscriptionKeyQuery },
      IsCurrentRevision: a.isCurrentRevision,
      Revision: a.revision,
      Version: a.version ?? '',
    };
  }
  get Operation(): IOperation | null {
    const o = this.state.route.operation;
    return o ? { Id: o.id, Method: o.method, Name: o.displayName, UrlTemplate: o.urlTemplate } : null;
  }
  get Deployment(): IDeployment {
    return {
      Region: 'local',
      ServiceName: 'apimops-local',
      ServiceId: 'apimops-local',
      GatewayId: 'apimops-local',
      Gateway: { Id: 'apimops-local', IsManaged: false, InstanceId: 'apimops-local' },
      Certificates: new CsDictionary<unknown>('ordinal', true),
    };
  }
  get LastError(): ILastError | null {
    const e = this.state.lastError;
    return e ? { ...e, Scope: String(e.Scope), Section: String(e.Section) } : null;
  }
  get RequestId(): CsGuid {
    return CsGuid.parse(this.state.requestId);
  }
  get Timestamp(): CsDateTime {
    return CsDateTime.fromEpochMs(this.state.startedAt);
  }
  get Elapsed(): CsTimeSpan {
    return CsTimeSpan.fromMs(Math.max(0, this.state.services.clock() - this.state.startedAt));
  }
  get Tracing(): boolean {
    return this.state.trace !== undefined;
  }
  Trace(source: string | undefined, message: string): void {
    this.state.trace?.add({ section: this.state.section, scope: this.state.scope, source: source ?? 'context.Trace', message: String(message) });
  }
}
