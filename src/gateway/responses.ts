/**
 * The gateway's own responses (POLICY-ENGINE.md §3.7): JSON `{"statusCode": N, "message": "…"}`, 500s
 * with an `activityId`. Messages are APIM's, character for character, where they are known.
 */
export const MSG_NOT_FOUND = 'Resource not found';
export const MSG_OPERATION_NOT_FOUND = 'Unable to match incoming request to an operation.';
export const MSG_MISSING_KEY =
  'Access denied due to missing subscription key. Make sure to include subscription key when making requests to an API.';
export const MSG_MISSING_KEY_LASTERROR =
  'Access denied due to missing subscription key. Make sure to include subscription key when making requests to this API.';
export const MSG_INVALID_KEY =
  'Access denied due to invalid subscription key. Make sure to provide a valid key for an active subscription.';
export const MSG_INTERNAL = 'Internal server error';

/** The body APIM sends for a gateway-generated error. */
export function errorBody(statusCode: number, message: string, activityId?: string): string {
  return activityId !== undefined
    ? JSON.stringify({ statusCode, message, activityId }, null, 2)
    : JSON.stringify({ statusCode, message }, null, 2);
}

/** Standard reason phrases. */
export function reasonPhrase(status: number): string {
  return REASONS[status] ?? '';
}

const REASONS: Record<number, string> = {
  200: 'OK', 201: 'Created', 202: 'Accepted', 204: 'No Content', 301: 'Moved Permanently', 302: 'Found', 304: 'Not Modified',
  400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 405: 'Method Not Allowed', 408: 'Request Timeout',
  409: 'Conflict', 413: 'Payload Too Large', 415: 'Unsupported Media Type', 429: 'Too Many Requests', 431: 'Request Header Fields Too Large',
  500: 'Internal Server Error', 502: 'Bad Gateway', 503: 'Service Unavailable', 504: 'Gateway Timeout',
};
