import { describe } from 'vitest';
import { apiPolicy, testRule } from '../support.js';

describe('missing-base', () => {
  testRule('missing-base', [
    { name: 'every section has <base />', files: { 'apis/orders/policy.xml': apiPolicy('') }, findings: [] },
    {
      name: 'API inbound without <base /> drops the global validate-jwt',
      files: { 'apis/orders/policy.xml': '<policies>\n  <inbound>\n    <set-header name="a"><value>1</value></set-header>\n  </inbound>\n</policies>\n' },
      findings: [
        'apis/orders/policy.xml:2:3: <inbound> of API orders has no <base />: drops validate-jwt from global inbound; add <base /> where the broader policies should run',
      ],
    },
    {
      name: 'names the fragment and the product a policy comes from; operation scope sees the API scope',
      files: {
        'policy.xml': '<policies><inbound><include-fragment fragment-id="edge" /></inbound><backend><forward-request /></backend></policies>',
        'policyFragments/edge/policyFragment.yaml': 'description: edge\n',
        'policyFragments/edge/policy.xml': '<fragment><validate-jwt header-name="Authorization" clock-skew="0" /></fragment>',
        'products/gold/product.yaml': 'displayName: Gold\napis:\n  - orders\nsubscriptionRequired: true\nstate: published\n',
        'products/gold/policy.xml': '<policies><inbound><base /><rate-limit calls="5" renewal-period="60" /></inbound></policies>',
        'apis/orders/policy.xml': '<policies><inbound><base /><set-variable name="v" value="1" /></inbound></policies>',
        'apis/orders/operation.yaml': null,
        'apis/orders/operations/create/operation.yaml': 'displayName: Create\nmethod: POST\nurlTemplate: /\n',
        'apis/orders/operations/create/policy.xml': '<policies>\n<inbound><set-header name="x"><value>1</value></set-header></inbound>\n</policies>',
      },
      findings: [
        'apis/orders/operations/create/policy.xml:2:1: <inbound> of operation orders/create has no <base />: drops validate-jwt (fragment edge) from global inbound and set-variable from API orders inbound and rate-limit from product gold inbound; add <base /> where the broader policies should run',
      ],
    },
    {
      name: 'a backend that re-adds forward-request on purpose is not a loss',
      files: { 'apis/orders/policy.xml': apiPolicy('', { backend: '<retry condition="@(false)" count="2" interval="1"><forward-request /></retry>' }) },
      findings: [],
    },
    {
      name: 'a section that drops nothing today is still reported',
      files: { 'apis/orders/policy.xml': '<policies>\n  <inbound><base /></inbound>\n  <outbound>\n    <set-header name="b"><value>1</value></set-header>\n  </outbound>\n</policies>\n' },
      findings: [
        "apis/orders/policy.xml:3:3: <outbound> of API orders has no <base />: drops nothing today, but any policy later added to a broader scope's outbound will be skipped; add <base /> where the broader policies should run",
      ],
    },
    {
      name: 'a workspace API: the chain is global, then the workspace',
      files: {
        'workspaces/team/workspace.yaml': 'displayName: Team\n',
        'workspaces/team/policy.xml': '<policies><inbound><base /><set-header name="ws"><value>1</value></set-header></inbound></policies>',
        'workspaces/team/apis/inv/api.yaml': 'displayName: Inv\npath: inv\nprotocols:\n  - https\n',
        'workspaces/team/apis/inv/policy.xml': '<policies>\n<inbound><set-variable name="a" value="1" /></inbound>\n</policies>',
      },
      findings: [
        'workspaces/team/apis/inv/policy.xml:2:1: <inbound> of API inv has no <base />: drops validate-jwt from global inbound and set-header from workspace team inbound; add <base /> where the broader policies should run',
      ],
    },
  ]);
});
