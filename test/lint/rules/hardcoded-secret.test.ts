import { describe } from 'vitest';
import { apiPolicy, testRule } from '../support.js';

describe('hardcoded-secret', () => {
  testRule('hardcoded-secret', [
    {
      name: 'secrets from named values',
      files: {
        'namedValues/pw/namedValue.yaml': 'displayName: svc-password\nsecret: true\n',
        'apis/orders/policy.xml': apiPolicy('    <authentication-basic username="svc" password="{{svc-password}}" />\n    <set-header name="Authorization"><value>@("Bearer " + (string)context.Variables["t"])</value></set-header>'),
      },
      findings: [],
    },
    {
      name: 'a literal password, a literal api-key header, a connection string and a JWT in an expression',
      files: {
        'apis/orders/policy.xml': apiPolicy(
          '    <authentication-basic username="svc" password="S3cr3t!pass" />\n' +
            '    <set-header name="api-key"><value>0123456789abcdef</value></set-header>\n' +
            '    <set-variable name="c" value="Endpoint=sb://x/;SharedAccessKeyName=k;SharedAccessKey=abcdefghijklmnop123=" />\n' +
            '    <set-variable name="t" value="@("eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.abc")" />',
        ),
      },
      findings: [
        'apis/orders/policy.xml:4:52: "password" of <authentication-basic> is a literal credential; use a secret named value ({{name}})',
        'apis/orders/policy.xml:5:32: header "api-key" is set to a literal credential; use a secret named value ({{name}})',
        'apis/orders/policy.xml:6:74: a connection string secret is written literally in the policy; use a secret named value ({{name}})',
        'apis/orders/policy.xml:7:38: a JWT is written literally in the policy; use a secret named value ({{name}})',
      ],
    },
  ]);
});
