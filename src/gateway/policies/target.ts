/**
 * Which message a transformation policy changes (POLICY-ENGINE.md §5.2 "Placement decides target"):
 * the request in inbound/backend, the response in outbound/on-error, or the message that `return-response`
 * / `send-request` is building.
 */
import type { PipelineRequest, PipelineResponse, RequestState } from '../state.js';

export type Target = { kind: 'request'; message: PipelineRequest } | { kind: 'response'; message: PipelineResponse };

export function targetOf(state: RequestState): Target {
  if (state.messageOverride) return state.messageOverride;
  return state.section === 'inbound' || state.section === 'backend'
    ? { kind: 'request', message: state.request }
    : { kind: 'response', message: state.response };
}
