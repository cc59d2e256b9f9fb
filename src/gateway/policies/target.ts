/**
 * Which message a transformation policy changes (POLICY-ENGINE.md §5.2 "Placement decides target"):
 * the request in inbound/backend, the response in outbound/on-error, or the message that `return-response`
 * / `send-request` is building.
 */
import type { PipelineRequest, PipelineResponse, RequestState } from '../state.js';
import type { CompiledBlock } from './types.js';

export type Target = { kind: 'request'; message: PipelineRequest } | { kind: 'response'; message: PipelineResponse };

export function targetOf(state: RequestState): Target {
  if (state.messageOverride) return state.messageOverride;
  return state.section === 'inbound' || state.section === 'backend'
    ? { kind: 'request', message: state.request }
    : { kind: 'response', message: state.response };
}

/**
 * Runs nested policies against the message `return-response` / `send-request` is building (their
 * set-header, set-body, … change it, not the request or response of the section), then restores the target.
 */
export async function runOnMessage(state: RequestState, target: Target, block: CompiledBlock): Promise<void> {
  const saved = state.messageOverride;
  state.messageOverride = target;
  try {
    await block.run(state);
  } finally {
    state.messageOverride = saved;
  }
}
