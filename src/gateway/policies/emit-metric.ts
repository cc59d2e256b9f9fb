import { ALL_SECTIONS, type PolicyModule, type ValueSource } from './types.js';
import type { RequestState } from '../state.js';

/** Default dimensions whose value the gateway supplies (§5.1). */
const DEFAULTS: Record<string, (s: RequestState) => string> = {
  'API ID': (s) => s.route.api.id,
  'Operation ID': (s) => s.route.operation?.id ?? '',
  'Product ID': (s) => s.route.product?.id ?? '',
  'User ID': (s) => s.route.subscription?.userId ?? '',
  'Subscription ID': (s) => s.route.subscription?.id ?? '',
  Location: () => 'local',
  'Gateway ID': () => 'apimops-local',
};

/** `<emit-metric name="…" value="1" namespace="…"><dimension name value/>{1,10}</emit-metric>`: to the local metric log. */
export const emitMetric = {
  name: 'emit-metric',
  sections: ALL_SECTIONS,
  compile(el, ctx) {
    const name = ctx.literal(el, 'name', { required: true });
    const namespace = ctx.literal(el, 'namespace') ?? 'API Management';
    const value = ctx.attr(el, 'value');
    const dims: { name: string; value: ValueSource | undefined }[] = ctx.elements(el, 'dimension').map((d) => ({ name: ctx.literal(d, 'name', { required: true }), value: ctx.attr(d, 'value') }));
    if (dims.length < 1 || dims.length > 10) ctx.fail(el, '<emit-metric> needs 1 to 10 <dimension> elements');
    for (const [i, d] of dims.entries()) {
      if (!d.value && !DEFAULTS[d.name]) ctx.fail(ctx.elements(el, 'dimension')[i]!, `dimension "${d.name}" needs a value (only default dimensions may omit it)`);
    }
    return {
      name: 'emit-metric',
      run(state) {
        const dimensions: Record<string, string> = {};
        for (const d of dims) dimensions[d.name] = d.value ? d.value.string(state) : DEFAULTS[d.name]!(state);
        state.services.logger.event('metric', { namespace, name, value: value ? value.number(state) : 1, dimensions, requestId: state.requestId });
      },
    };
  },
} satisfies PolicyModule;
