/**
 * The contract between the gateway pipeline and a policy (one file per XML element under `policies/`).
 *
 * A policy is compiled ONCE when the artifact folder loads (`compile`) and run many times per request
 * (`CompiledPolicy.run`). Everything a policy needs at load time comes through `CompileContext`; everything
 * it needs per request comes through `RequestState`. Short-circuits are returned as `SectionSignal`s;
 * failures are thrown as `PolicyError`s, which the pipeline turns into `context.LastError` + on-error
 * (POLICY-ENGINE.md §3.5–§3.6).
 *
 * Shape copied from the APIM policy toolkit emulator (`PolicyHandler<TConfig>` + allowed sections) and
 * Hono's middleware (STYLE.md A4/A7).
 */
import type { PolicyElement, PolicyNode, PolicyPosition } from './ast.js';
import type { RequestState } from '../state.js';

export type { PolicyElement, PolicyNode, PolicyPosition } from './ast.js';
export type { RequestState } from '../state.js';

/** The four sections of a policy document. */
export type Section = 'inbound' | 'backend' | 'outbound' | 'on-error';
export const SECTIONS: readonly Section[] = ['inbound', 'backend', 'outbound', 'on-error'];
export const ALL_SECTIONS: readonly Section[] = SECTIONS;

/** A scope a policy document belongs to, as `context.LastError.Scope` spells it. */
export type Scope = 'global' | 'workspace' | 'product' | 'api' | 'operation' | 'fragment';

/**
 * Returned by a policy to stop normal processing (the toolkit's `FinishSectionProcessingException`).
 * - `return`: `return-response` — the response in `state.response` is final; nothing else runs (no outbound).
 * - `skip-to-outbound`: `mock-response` / a `cache-lookup` hit — the rest of inbound and the backend are skipped,
 *   outbound runs on the response already in `state.response`.
 */
export type SectionSignal = { readonly signal: 'return' } | { readonly signal: 'skip-to-outbound' };
export const RETURN_RESPONSE: SectionSignal = Object.freeze({ signal: 'return' });
export const SKIP_TO_OUTBOUND: SectionSignal = Object.freeze({ signal: 'skip-to-outbound' });

/** What `run` may return: nothing (continue), a signal, or a promise of either. Sync returns keep the hot path cheap. */
export type PolicyResult = void | SectionSignal | Promise<void | SectionSignal>;

/** A policy after compilation: closed over its parsed attributes and compiled expressions. */
export interface CompiledPolicy {
  /** Element name (`set-header`). */
  readonly name: string;
  /** Runs the policy against one request. Throw `PolicyError` (or anything: it becomes a 500) to fail. */
  run(state: RequestState): PolicyResult;
}

/** A compiled list of policies (a section body, or the children of `when`, `retry`, …). */
export interface CompiledBlock {
  readonly policies: readonly CompiledPolicy[];
  run(state: RequestState): PolicyResult;
}

/**
 * A value of an attribute or element text: a literal, or a compiled `@(…)`/`@{…}` expression. The
 * converters follow POLICY-ENGINE.md §2.3 (bool/int literals or expression results of those types).
 */
export interface ValueSource {
  /** The literal text when the value is not an expression. */
  readonly literal: string | undefined;
  readonly isExpression: boolean;
  /** Where the value is in the policy file. */
  readonly pos: PolicyPosition;
  /** The raw value: the literal string, or the expression's result (C# value as the expression runtime models it). */
  value(state: RequestState): unknown;
  /** As text, with .NET `ToString()` semantics (`True`, invariant numbers, indented JSON for JObject). */
  string(state: RequestState): string;
  /** As a boolean (`true`/`false`, case-insensitive, or a bool result). Throws a PolicyError otherwise. */
  bool(state: RequestState): boolean;
  /** As a number (integer or decimal literal, or a numeric result). Throws a PolicyError otherwise. */
  number(state: RequestState): number;
}

/** Services known when the folder loads (compile time). */
export interface CompileContext {
  /** Section the policy is placed in (after `<base/>` inlining). */
  readonly section: Section;
  /** Scope of the document the element came from (fragments report the including document's scope). */
  readonly scope: Scope;
  /** `context.LastError.Path` of this element, `choose\when[2]\set-header` style (§3.5). */
  readonly path: string;
  /** The artifact file the element is in (for messages). */
  readonly file: string | undefined;
  /** Loaded configuration a policy may resolve against (backends, the API's specification…). */
  readonly config: CompileConfig;
  /** An attribute as a value (literal or expression); `undefined` when absent and not required. */
  attr(el: PolicyElement, name: string, opts: { required: true }): ValueSource;
  attr(el: PolicyElement, name: string, opts?: { required?: boolean }): ValueSource | undefined;
  /** A literal-only attribute (expressions not allowed, e.g. `set-variable@name`): a load error if it is one. */
  literal(el: PolicyElement, name: string, opts: { required: true }): string;
  literal(el: PolicyElement, name: string, opts?: { required?: boolean }): string | undefined;
  /**
   * The element's text content as a value (`<value>…</value>`, `<set-body>…</set-body>`); undefined when empty.
   * `keepUnknownNamedValues`: leave `{{x}}` that names no named value as written (Liquid templates use `{{ }}`).
   */
  text(el: PolicyElement, opts?: { keepUnknownNamedValues?: boolean }): ValueSource | undefined;
  /** Child elements, optionally only those named `name` (comments and whitespace skipped). */
  elements(el: PolicyElement, name?: string): PolicyElement[];
  /**
   * Compiles nested policies (the children of `choose/when`, `retry`, …) in this policy's scope and
   * section. `pathSegment` is appended to the LastError path after this policy's own (`when[2]` under
   * `choose`); '' adds nothing, for policies whose children sit directly under them (`retry\forward-request`).
   */
  compileBlock(nodes: readonly PolicyNode[], pathSegment: string): CompiledBlock;
  /** Like `compileBlock`, one block per child element (`wait` runs them side by side), paths indexed among siblings. */
  compileEach(nodes: readonly PolicyNode[]): CompiledBlock[];
  /** Throws a load error pointing at `node` (file:line:column). Never returns. */
  fail(node: { pos: PolicyPosition }, message: string): never;
  /** Records a load warning (printed by `serve`, does not stop the load). */
  warn(node: { pos: PolicyPosition }, message: string): void;
}

/** What the loaded folder offers to policies at compile time. Kept small and read-only. */
export interface CompileConfig {
  /** Backend entities by name (`backends/<name>/backend.yaml` after overrides and `--backend`). */
  readonly backends: ReadonlyMap<string, BackendConfig>;
  /** The API the policy applies to, when compiling an API/operation pipeline (undefined for global-only). */
  readonly api: ApiInfo | undefined;
  /** The operation, when compiling an operation pipeline. */
  readonly operation: OperationInfo | undefined;
  /** Client certificates by name (authentication-certificate), from serve's configuration. */
  readonly certificates?: ReadonlyMap<string, import('../state.js').ClientCertificate>;
}

/** A backend entity (§4.4), with its URL already pointed at a local service when `--backend` says so. */
export interface BackendConfig {
  readonly name: string;
  readonly url: string;
  readonly protocol: string;
  /** Raw ARM `properties` (credentials, tls, circuitBreaker, pool, …) for policies that need more. */
  readonly properties: Readonly<Record<string, unknown>>;
  /** The client certificate of `credentials.certificateIds` / `credentials.certificate`, when serve has it. */
  readonly clientCertificate?: import('../state.js').ClientCertificate;
}

/** The parts of an API a policy may need at compile time. */
export interface ApiInfo {
  readonly name: string;
  readonly path: string;
  readonly serviceUrl: string | undefined;
  /** Parsed OpenAPI document (JSON object), when the API has a specification. */
  readonly specification: Readonly<Record<string, unknown>> | undefined;
}

/** The parts of an operation a policy may need (mock-response, validate-*). */
export interface OperationInfo {
  readonly name: string;
  readonly method: string;
  readonly urlTemplate: string;
  /** The OpenAPI operation object (or the ARM operation properties) it came from. */
  readonly definition: Readonly<Record<string, unknown>> | undefined;
}

/**
 * One policy implementation: one file per XML element, one line in `policies/index.ts`.
 *
 * @example
 * export const setVariable = {
 *   name: 'set-variable',
 *   sections: ALL_SECTIONS,
 *   compile(el, ctx) {
 *     const name = ctx.literal(el, 'name', { required: true });
 *     const value = ctx.attr(el, 'value', { required: true });
 *     return { name: 'set-variable', run: (s) => void s.variables.set(name, value.value(s)) };
 *   },
 * } satisfies PolicyModule;
 */
export interface PolicyModule {
  /** The XML element name. */
  readonly name: string;
  /** Sections the element is allowed in (§5); anywhere else is a load error with the position. */
  readonly sections: readonly Section[];
  compile(el: PolicyElement, ctx: CompileContext): CompiledPolicy;
}
