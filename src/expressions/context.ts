/**
 * The `context` object model of policy expressions (POLICY-ENGINE.md §6.3), as interfaces the gateway
 * implements. Property names are the C# names, so an expression's `context.Request.Method` is a plain
 * property read. Values follow the mapping in `values.ts` (ints are numbers, `DateTime` is `CsDateTime`,
 * dictionaries are `CsDictionary`, …).
 *
 * Only the members listed in `HOST_TYPES` below are reachable from an expression; anything else on the
 * objects the gateway passes in (helpers, private state) is invisible.
 */
import type { CsDateTime, CsDictionary, CsGuid, CsTimeSpan } from './values.js';
import type { CsUrl } from './url.js';
import type { MessageBody } from './body.js';

/** `IUrl`: use `CsUrl.parse(url)` to build one. */
export type IUrl = CsUrl;
/** `IMessageBody`: use `new MessageBody(bytesOrText)` to build one. */
export type IMessageBody = MessageBody;

export interface IRequest {
  Method: string;
  /** The *current backend* URL (changed by rewrite-uri / set-backend-service). */
  Url: IUrl;
  /** The incoming gateway URL. */
  OriginalUrl: IUrl;
  /** Case-insensitive, read-only: `CsDictionary.headers([...])`. */
  Headers: CsDictionary<string[]>;
  /** `null` when the request has no body. */
  Body: IMessageBody | null;
  IpAddress: string;
  MatchedParameters: CsDictionary<string>;
  /** Client certificate (not modelled yet: always null locally). */
  Certificate: unknown;
  PrivateEndpointConnection?: { Name: string; GroupId: string; MemberName: string } | null;
}

export interface IResponse {
  StatusCode: number;
  StatusReason: string;
  Headers: CsDictionary<string[]>;
  Body: IMessageBody | null;
}

export interface IGroup {
  Id: string;
  Name: string;
}

export interface ISubscription {
  Id: string;
  Key: string;
  Name: string;
  PrimaryKey: string;
  SecondaryKey: string;
  CreatedDate: CsDateTime;
  StartDate: CsDateTime | null;
  EndDate: CsDateTime | null;
}

export interface IUser {
  Id: string;
  Email: string;
  FirstName: string;
  LastName: string;
  Note: string;
  RegistrationDate: CsDateTime;
  Groups: IGroup[];
  Identities: { Id: string; Provider: string }[];
}

export interface IApi {
  Id: string;
  Name: string;
  Path: string;
  Protocols: string[];
  ServiceUrl: IUrl;
  SubscriptionKeyParameterNames: { Header: string; Query: string };
  IsCurrentRevision: boolean;
  Revision: string;
  Version: string;
}

export interface IProduct {
  Id: string;
  Name: string;
  Apis: IApi[];
  ApprovalRequired: boolean;
  Groups: IGroup[];
  /** `ProductState`: `"NotPublished"` or `"Published"`. */
  State: string;
  SubscriptionLimit: number | null;
  SubscriptionRequired: boolean;
}

export interface IOperation {
  Id: string;
  Method: string;
  Name: string;
  UrlTemplate: string;
}

export interface IDeployment {
  Region: string;
  ServiceName: string;
  ServiceId: string;
  GatewayId: string;
  Gateway: { Id: string; IsManaged: boolean; InstanceId: string };
  Certificates: CsDictionary<unknown>;
}

export interface ILastError {
  Source: string;
  Reason: string;
  Message: string;
  Scope: string;
  Section: string;
  Path: string;
  PolicyId: string;
  HttpErrorCode?: number;
}

/**
 * The implicit `context` variable. `Response` is null before the backend answered, `Subscription`/`User`/
 * `Product` are null for anonymous calls, `LastError` is null outside `on-error`.
 */
export interface ExpressionContext {
  Request: IRequest;
  Response: IResponse | null;
  /** Mutable by the gateway (`set-variable`); read-only to expressions. Keys are case-sensitive. */
  Variables: CsDictionary<unknown>;
  Subscription: ISubscription | null;
  User: IUser | null;
  Product: IProduct | null;
  Api: IApi | null;
  Operation: IOperation | null;
  Deployment: IDeployment;
  LastError: ILastError | null;
  RequestId: CsGuid;
  Timestamp: CsDateTime;
  Elapsed: CsTimeSpan;
  Tracing: boolean;
  /** `context.Trace(message)` (source undefined) or `context.Trace(source, message)`. */
  Trace(source: string | undefined, message: string): void;
}

/**
 * Static member table of the host (context) types: member name → C# type name. The evaluator uses it to
 * reject unknown members at compile time (with a position) when the receiver type is known, and at run
 * time only members named here can be read from a host object.
 */
export const HOST_TYPES: Record<string, Record<string, string>> = {
  IContext: {
    Request: 'IRequest', Response: 'IResponse', Variables: 'IReadOnlyDictionary<string,object>', Subscription: 'ISubscription',
    User: 'IUser', Product: 'IProduct', Api: 'IApi', Operation: 'IOperation', Deployment: 'IDeployment',
    LastError: 'ILastError', RequestId: 'Guid', Timestamp: 'DateTime', Elapsed: 'TimeSpan', Tracing: 'bool',
    Trace: 'method:void',
  },
  IRequest: {
    Method: 'string', Url: 'IUrl', OriginalUrl: 'IUrl', Headers: 'IReadOnlyDictionary<string,string[]>', Body: 'IMessageBody',
    IpAddress: 'string', MatchedParameters: 'IReadOnlyDictionary<string,string>', Certificate: 'X509Certificate2',
    PrivateEndpointConnection: 'IPrivateEndpointConnection', AzureVnetInfo: 'object',
  },
  IResponse: { StatusCode: 'int', StatusReason: 'string', Headers: 'IReadOnlyDictionary<string,string[]>', Body: 'IMessageBody' },
  IUrl: { Scheme: 'string', Host: 'string', Port: 'int', Path: 'string', Query: 'IReadOnlyDictionary<string,string[]>', QueryString: 'string', ToString: 'method:string', ToUri: 'method:Uri' },
  IMessageBody: { As: 'method:object', AsFormUrlEncodedContent: 'method:IDictionary<string,IList<string>>' },
  ISubscription: { Id: 'string', Key: 'string', Name: 'string', PrimaryKey: 'string', SecondaryKey: 'string', CreatedDate: 'DateTime', CreatedTime: 'DateTime', StartDate: 'DateTime?', EndDate: 'DateTime?' },
  IUser: { Id: 'string', Email: 'string', FirstName: 'string', LastName: 'string', Note: 'string', RegistrationDate: 'DateTime', Groups: 'IEnumerable<IGroup>', Identities: 'IEnumerable<IUserIdentity>' },
  IGroup: { Id: 'string', Name: 'string' },
  IUserIdentity: { Id: 'string', Provider: 'string' },
  IApi: { Id: 'string', Name: 'string', Path: 'string', Protocols: 'IEnumerable<string>', ServiceUrl: 'IUrl', SubscriptionKeyParameterNames: 'ISubscriptionKeyParameterNames', IsCurrentRevision: 'bool', Revision: 'string', Version: 'string' },
  ISubscriptionKeyParameterNames: { Header: 'string', Query: 'string' },
  IProduct: { Id: 'string', Name: 'string', Apis: 'IEnumerable<IApi>', ApprovalRequired: 'bool', Groups: 'IEnumerable<IGroup>', State: 'string', SubscriptionLimit: 'int?', SubscriptionRequired: 'bool' },
  IOperation: { Id: 'string', Method: 'string', Name: 'string', UrlTemplate: 'string' },
  IDeployment: { Region: 'string', ServiceName: 'string', ServiceId: 'string', GatewayId: 'string', Gateway: 'IGateway', Certificates: 'IReadOnlyDictionary<string,X509Certificate2>' },
  IGateway: { Id: 'string', IsManaged: 'bool', InstanceId: 'string' },
  ILastError: { Source: 'string', Reason: 'string', Message: 'string', Scope: 'string', Section: 'string', Path: 'string', PolicyId: 'string', HttpErrorCode: 'int' },
  IPrivateEndpointConnection: { Name: 'string', GroupId: 'string', MemberName: 'string' },
  // send-request results are `IResponse`; get-authorization-context results are `Authorization`.
  Authorization: { AccessToken: 'string', Claims: 'IReadOnlyDictionary<string,object>' },
};

/** Every member name readable on a host object (the run-time allow-list). */
export const HOST_MEMBER_NAMES: ReadonlySet<string> = new Set(Object.values(HOST_TYPES).flatMap((t) => Object.keys(t)));
