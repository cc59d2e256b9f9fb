import { describe } from 'vitest';
import { apiPolicy, testRule } from '../support.js';

describe('undefined-named-value', () => {
  testRule('undefined-named-value', [
    { name: 'a defined display name', files: { 'apis/orders/policy.xml': apiPolicy('    <set-header name="t"><value>{{TenantId}}</value></set-header>') }, findings: [] },
    {
      name: 'undefined and case-mismatched references in text and an expression',
      files: { 'apis/orders/policy.xml': apiPolicy('    <set-header name="t"><value>{{tenantid}}</value></set-header>\n    <set-variable name="v" value="@("{{Missing}}")" />') },
      findings: [
        'apis/orders/policy.xml:4:33: named value "{{tenantid}}" is not defined; "TenantId" differs only in case (names are case-sensitive)',
        'apis/orders/policy.xml:5:38: named value "{{Missing}}" is not defined in namedValues/',
      ],
    },
    {
      name: 'a workspace named value is visible in its workspace only',
      files: {
        'workspaces/team/workspace.yaml': 'displayName: Team\n',
        'workspaces/team/namedValues/k/namedValue.yaml': 'displayName: WsKey\nsecret: false\nvalue: x\n',
        'workspaces/team/apis/inv/api.yaml': 'displayName: Inv\npath: inv\nprotocols:\n  - https\n',
        'workspaces/team/apis/inv/policy.xml': '<policies>\n<inbound><base /><set-header name="a"><value>{{WsKey}}{{TenantId}}</value></set-header></inbound>\n</policies>',
        'apis/orders/policy.xml': '<policies><inbound><base /><set-header name="a"><value>{{WsKey}}</value></set-header></inbound></policies>',
      },
      findings: ['apis/orders/policy.xml:1:56: named value "{{WsKey}}" is not defined in namedValues/'],
    },
  ]);
});
