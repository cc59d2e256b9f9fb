/**
 * Maps what the Azure SDK throws (`RestError`, credential errors, network errors) to a `UserError` that
 * says what failed, on which resource, and what to do about it. Every ARM failure apimops reports goes
 * through `mapArmError`, so publish and extract word the same problem the same way.
 */
import { UserError } from '../shared/errors.js';

/** What was being attempted when the error happened. */
export interface ArmErrorContext {
  /** `list`, `get`, `export`, `put`, `patch`, `delete`, `post`… (reads need Reader, writes Contributor). */
  op: string;
  /** Resource kind (`api`, `namedValue`…) or a description (`service`). */
  kind: string;
  /** Resource name or service-relative key. */
  name?: string;
  /** The service, for messages: `/subscriptions/…/service/<name>` or `<rg>/<name>`. */
  scope?: string;
}

/** The fields of a `RestError` (or anything shaped like one) that we read. */
interface RestErrorLike {
  name?: string;
  message?: string;
  code?: string;
  statusCode?: number;
  details?: unknown;
}

const READ_OPS = new Set(['list', 'get', 'export', 'read', 'head', 'listValue', 'listSecrets']);

/** True for errors worth retrying at the operation level (409 "in progress", 412 on races, 429, 5xx, network). */
export function isTransientArmError(err: unknown): boolean {
  const e = err as RestErrorLike;
  const status = e?.statusCode;
  if (status === undefined) return typeof e?.code === 'string' && /^(ECONNRESET|ECONNREFUSED|ETIMEDOUT|ESOCKETTIMEDOUT|EPIPE|REQUEST_SEND_ERROR)$/.test(e.code);
  if (status === 409) return /in progress|PessimisticConcurrency|ManagementApiRequestFailed/i.test(`${e.code} ${e.message}`);
  if (status === 422) return /ManagementApiRequestFailed/i.test(`${e.code}`);
  return status === 408 || status === 429 || (status >= 500 && status !== 501 && status !== 505);
}

/** HTTP status of an SDK error, if it has one. */
export function armStatus(err: unknown): number | undefined {
  return (err as RestErrorLike)?.statusCode;
}

/**
 * Turns an SDK error into a `UserError` (exit 2) with an actionable message.
 *
 * @example
 * try { await arm.list('/apis'); } catch (err) { throw mapArmError(err, { op: 'list', kind: 'api', scope: arm.serviceId }); }
 * // → "Forbidden: list api: the identity apimops runs as needs the API Management Service Reader role on …"
 */
export function mapArmError(err: unknown, context: ArmErrorContext): UserError {
  if (err instanceof UserError) return err;
  const e = (err ?? {}) as RestErrorLike;
  const what = `${context.op} ${context.kind}${context.name ? ` '${context.name}'` : ''}`;
  const on = context.scope ? ` on ${context.scope}` : '';
  const serverCode = e.code && e.statusCode !== undefined ? ` (${e.code})` : '';
  const serverMessage = e.message ? `: ${e.message}` : '';
  const isRead = READ_OPS.has(context.op);

  // @azure/identity failures: no credential found, or the token request was rejected.
  if (e.name === 'CredentialUnavailableError' || e.name === 'AggregateAuthenticationError' || e.name === 'AuthenticationError') {
    return new UserError('E_AUTH', `no usable Azure credential for ${what}${serverMessage}`, {
      cause: err,
      hint: 'run `az login`, or set AZURE_BEARER_TOKEN, or the AZURE_CLIENT_ID/AZURE_TENANT_ID/AZURE_CLIENT_SECRET of a service principal',
    });
  }
  switch (e.statusCode) {
    case 401:
      return new UserError('E_AUTH', `Unauthorized: ${what}: the token was rejected${serverCode}${serverMessage}`, {
        cause: err,
        hint: 'the token may be expired or for the wrong tenant/cloud: run `az login` again or refresh AZURE_BEARER_TOKEN',
      });
    case 403: {
      const role = isRead ? 'API Management Service Reader' : 'API Management Service Contributor';
      return new UserError(
        'E_AUTH',
        `Forbidden: ${what}: the identity apimops runs as needs the ${role} role${on || ' on the API Management service'}${serverCode}${serverMessage}`,
        { cause: err, hint: `assign the role with \`az role assignment create --role "${role}" --assignee <principal> --scope <service id>\`` },
      );
    }
    case 404:
      return new UserError('E_ARM', `Not found: ${what}${on}${serverCode}${serverMessage}`, {
        cause: err,
        hint:
          context.kind === 'service'
            ? 'check --subscription, --resource-group and --service (or the environment in apimops.yaml)'
            : 'it may have been deleted meanwhile; run the command again',
      });
    case 409:
      return new UserError('E_ARM', `Conflict: ${what}${serverCode}${serverMessage}`, {
        cause: err,
        hint: 'another operation on this resource is in progress; wait for it and run again',
      });
    case 412:
      return new UserError('E_ARM', `Precondition failed: ${what} was changed by someone else meanwhile${serverCode}`, {
        cause: err,
        hint: 'run the command again to work from the current state',
      });
    case 429:
      return new UserError('E_ARM', `Throttled: ${what}: Azure kept answering 429 after retries${serverMessage}`, {
        cause: err,
        hint: 'lower --parallelism, or run again later (ARM allows ~25 reads/s and ~10 writes/s per principal)',
      });
    case 400:
    case 422: {
      const details = validationDetails(e.details);
      return new UserError('E_ARM', `Rejected: ${what}${serverCode}${serverMessage}${details ? `\n${details}` : ''}`, {
        cause: err,
        hint: 'the resource definition is not valid for this API Management service',
      });
    }
    default:
      break;
  }
  if (e.statusCode !== undefined && e.statusCode >= 500) {
    return new UserError('E_ARM', `Azure failed: ${what} answered HTTP ${e.statusCode}${serverCode}${serverMessage}`, {
      cause: err,
      hint: 'the request was retried; this is usually transient — run again later',
    });
  }
  if (e.statusCode !== undefined) {
    return new UserError('E_ARM', `${what} answered HTTP ${e.statusCode}${serverCode}${serverMessage}`, { cause: err });
  }
  if (e.code && /ECONNREFUSED|ENOTFOUND|ECONNRESET|ETIMEDOUT|REQUEST_SEND_ERROR/.test(e.code)) {
    return new UserError('E_ARM', `cannot reach Azure Resource Manager for ${what} (${e.code})${serverMessage}`, {
      cause: err,
      hint: 'check the network, a proxy, or --endpoint',
    });
  }
  return new UserError('E_ARM', `${what} failed${serverMessage}`, { cause: err });
}

/** `details[]` of an ARM `ValidationError` as indented lines (`target: message`). */
function validationDetails(body: unknown): string {
  const details = (body as { error?: { details?: { target?: string; message?: string }[] } } | undefined)?.error?.details;
  if (!Array.isArray(details)) return '';
  return details.map((d) => `  ${d.target ? `${d.target}: ` : ''}${d.message ?? ''}`).join('\n');
}
