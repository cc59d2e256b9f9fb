import { describe } from 'vitest';
import { BASE_FOLDER, apiPolicy, testRule } from '../support.js';

describe('backend-without-forward', () => {
  testRule('backend-without-forward', [
    { name: 'backend inherits the global forward-request', files: { 'apis/orders/policy.xml': apiPolicy('') }, findings: [] },
    {
      // Every instance has a global policy; a folder that does not manage it has APIM's default, which forwards.
      name: 'without a global policy.xml, <base /> reaches the default global forward-request',
      files: { 'policy.xml': null, 'apis/orders/policy.xml': apiPolicy('') },
      findings: [],
    },
    {
      name: 'without a global policy.xml, a backend without <base /> still drops it',
      files: { 'policy.xml': null, 'apis/orders/policy.xml': apiPolicy('', { backend: '<set-header name="x"><value>1</value></set-header>' }) },
      findings: [
        'apis/orders/policy.xml:6:3: the backend section never forwards the request and nothing returns a response, so the backend is never called and clients get 200 with an empty body (API orders); add <base /> or <forward-request /> to <backend>',
      ],
    },
    {
      name: 'API backend without <base /> and without forward-request',
      files: { 'apis/orders/policy.xml': apiPolicy('', { backend: '<set-header name="x"><value>1</value></set-header>' }) },
      findings: [
        'apis/orders/policy.xml:6:3: the backend section never forwards the request and nothing returns a response, so the backend is never called and clients get 200 with an empty body (API orders); add <base /> or <forward-request /> to <backend>',
      ],
    },
    {
      name: 'an operation answered by return-response is fine',
      files: {
        'apis/orders/policy.xml': apiPolicy('    <return-response><set-status code="204" /></return-response>', { backend: '<set-header name="x"><value>1</value></set-header>' }),
      },
      findings: [],
    },
    {
      name: 'a global policy without forward-request breaks every operation (counted per product context)',
      files: {
        'policy.xml': BASE_FOLDER['policy.xml']!.replace('<forward-request />', '<set-variable name="x" value="1" />'),
        'apis/orders/operations/a/operation.yaml': 'displayName: A\nmethod: GET\nurlTemplate: /a\n',
        'apis/orders/operations/b/operation.yaml': 'displayName: B\nmethod: GET\nurlTemplate: /b\n',
      },
      findings: [
        'policy.xml:7:3: the backend section never forwards the request and nothing returns a response, so the backend is never called and clients get 200 with an empty body (operation orders/a, operation orders/b); add <base /> or <forward-request /> to <backend>',
      ],
    },
  ]);
});
