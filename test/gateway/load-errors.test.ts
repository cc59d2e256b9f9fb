import { describe, expect, it } from 'vitest';
import { GatewayLoadError } from '../../src/gateway/index.js';
import { gatewayFor } from './helpers.js';

const api = (policy: string) => ({ name: 'a', path: 'a', serviceUrl: 'http://127.0.0.1:9', policy, operations: [{ name: 'op', method: 'GET', urlTemplate: '/x' }] });

async function loadErrors(spec: Parameters<typeof gatewayFor>[0]): Promise<string[]> {
  try {
    const gw = await gatewayFor(spec);
    await gw.close();
    return [];
  } catch (e) {
    if (!(e instanceof GatewayLoadError)) throw e;
    return e.diagnostics.map((d) => `${d.file}:${d.line}:${d.column}: ${d.message}`);
  }
}

describe('a folder that fails to load reports every problem with its position', () => {
  it('an unimplemented element', async () => {
    expect(await loadErrors({ apis: [api('<policies>\n  <inbound>\n    <base />\n    <no-such-policy />\n  </inbound>\n</policies>')] })).toEqual([
      'apis/a/policy.xml:4:5: policy <no-such-policy> is not supported by apimops serve',
    ]);
  });
  it('a policy in a section it is not allowed in, and a missing required attribute', async () => {
    const errors = await loadErrors({ apis: [api('<policies>\n<inbound><base /><forward-request /></inbound>\n<outbound><base /><set-variable value="1" /></outbound>\n</policies>')] });
    expect(errors).toEqual([
      'apis/a/policy.xml:2:18: policy <forward-request> is not allowed in the inbound section (allowed: backend)',
      'apis/a/policy.xml:3:19: <set-variable> needs the name attribute',
    ]);
  });
  it('an unknown named value, a missing fragment and a broken expression', async () => {
    const errors = await loadErrors({
      apis: [api('<policies>\n<inbound>\n<base />\n<set-header name="a"><value>{{Nope}}</value></set-header>\n<include-fragment fragment-id="ghost" />\n<set-variable name="v" value="@(1 +)" />\n</inbound>\n</policies>')],
    });
    expect(errors).toHaveLength(3);
    expect(errors[0]).toMatch(/^apis\/a\/policy\.xml:5:1: policy fragment "ghost" does not exist$/);
    expect(errors.some((e) => /^apis\/a\/policy\.xml:4:\d+: named value "Nope" is not defined/.test(e))).toBe(true);
    expect(errors.some((e) => /^apis\/a\/policy\.xml:6:\d+: set-variable@value: /.test(e))).toBe(true);
  });
  it('malformed policy XML', async () => {
    const errors = await loadErrors({ apis: [api('<policies>\n<inbound>\n<base />\n</outbound>\n</policies>')] });
    expect(errors.length).toBe(1);
    expect(errors[0]).toMatch(/^apis\/a\/policy\.xml:4:\d+: /);
  });
});
