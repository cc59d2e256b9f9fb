/**
 * Errors raised while a request runs through the pipeline (POLICY-ENGINE.md §3.5) and while a folder
 * loads into a gateway.
 */
import { DiagnosticsError, type Diagnostic } from '../shared/errors.js';
import type { Scope, Section } from './policies/types.js';

/** `context.LastError` (§3.5). `Scope`, `Section`, `Path` and `PolicyId` are filled in by the pipeline. */
export interface LastError {
  Source: string;
  Reason: string;
  Message: string;
  Scope: Scope | string;
  Section: Section | string;
  Path: string;
  PolicyId: string;
  HttpErrorCode?: number;
}

/** What a policy (or a built-in step) says about a failure; the pipeline turns it into LastError + a response. */
export interface PolicyErrorInit {
  /** `LastError.Source`: the policy element name or the built-in step (`configuration`, `forward-request`). */
  source: string;
  /** `LastError.Reason`, e.g. `RateLimitExceeded`. */
  reason: string;
  /** `LastError.Message`. */
  message: string;
  /** Status of the gateway-generated response that on-error starts from (§3.7). Default 500. */
  statusCode?: number;
  /**
   * The `message` of the JSON body `{"statusCode": N, "message": "…"}` the client gets when on-error does not
   * replace it. Default: `message` for 4xx, `Internal server error` (+ activityId) for 5xx.
   */
  responseMessage?: string;
  /** Extra response headers (e.g. `Retry-After`). */
  headers?: Readonly<Record<string, string>>;
  /** Replaces the JSON body entirely (validate-* public responses). */
  responseBody?: string;
  cause?: unknown;
}

/**
 * Thrown by a policy to fail the request: processing jumps to on-error with `context.LastError` set and
 * `context.Response` pre-populated with the gateway's error response.
 */
export class PolicyError extends Error {
  readonly init: PolicyErrorInit;
  constructor(init: PolicyErrorInit) {
    super(init.message, init.cause !== undefined ? { cause: init.cause } : undefined);
    this.name = 'PolicyError';
    this.init = init;
  }
}

/** A folder that cannot be loaded into a gateway: every problem with its position. */
export class GatewayLoadError extends DiagnosticsError {
  constructor(diagnostics: readonly Diagnostic[]) {
    super('E_POLICY', `the artifact folder cannot be served: ${diagnostics.length} error${diagnostics.length === 1 ? '' : 's'}`, diagnostics);
  }
}

/** Thrown during compilation by `CompileContext.fail`; collected into a `GatewayLoadError`. */
export class CompileFailure extends Error {
  readonly diagnostic: Diagnostic;
  constructor(diagnostic: Diagnostic) {
    super(diagnostic.message);
    this.name = 'CompileFailure';
    this.diagnostic = diagnostic;
  }
}
