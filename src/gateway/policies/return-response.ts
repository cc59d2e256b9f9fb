import { runOnMessage } from './target.js';
import { BodyHolder } from '../body.js';
import { HeaderBag } from '../headers.js';
import type { PipelineResponse } from '../state.js';
import { ALL_SECTIONS, RETURN_RESPONSE, type PolicyModule } from './types.js';

/**
 * `<return-response response-variable-name="…">set-status / set-header / set-body</return-response>` (§5.1):
 * builds a response (fresh, or the one in the variable) and ends the pipeline — outbound does not run and it
 * is not an error (§3.6).
 */
export const returnResponse = {
  name: 'return-response',
  sections: ALL_SECTIONS,
  compile(el, ctx) {
    const varName = ctx.literal(el, 'response-variable-name');
    for (const c of ctx.elements(el)) {
      if (!['set-status', 'set-header', 'set-body'].includes(c.name)) ctx.fail(c, `<return-response> holds set-status, set-header and set-body, not <${c.name}>`);
    }
    const block = ctx.compileBlock(el.children, '');
    return {
      name: 'return-response',
      async run(state) {
        let response: PipelineResponse = { statusCode: 200, statusReason: 'OK', headers: new HeaderBag(), body: BodyHolder.empty() };
        if (varName) {
          const v = state.variables.get(varName) as { __pipelineResponse?: PipelineResponse } | undefined;
          if (v?.__pipelineResponse) response = v.__pipelineResponse;
        }
        await runOnMessage(state, { kind: 'response', message: response }, block);
        state.response = response;
        return RETURN_RESPONSE;
      },
    };
  },
} satisfies PolicyModule;
