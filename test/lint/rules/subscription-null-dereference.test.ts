import { describe } from 'vitest';
import { BASE_FOLDER, apiPolicy, testRule } from '../support.js';

const counter = '    <rate-limit-by-key calls="5" renewal-period="60" counter-key="@(context.Subscription.Id)" />';

describe('subscription-null-dereference', () => {
  testRule('subscription-null-dereference', [
    { name: 'an API that requires a subscription', files: { 'apis/orders/policy.xml': apiPolicy(counter) }, findings: [] },
    {
      name: 'an open API, with ?. used correctly once',
      files: {
        'apis/orders/api.yaml': BASE_FOLDER['apis/orders/api.yaml']!.replace('subscriptionRequired: true', 'subscriptionRequired: false'),
        'apis/orders/policy.xml': apiPolicy(`${counter}\n    <set-variable name="s" value="@(context.Subscription?.Name)" />`),
      },
      findings: [
        'apis/orders/policy.xml:4:69: context.Subscription.Id dereferences a null subscription on anonymous calls (API orders does not require a subscription); use context.Subscription?.Id',
      ],
    },
    {
      name: 'an API in an open product',
      files: {
        'products/free/product.yaml': 'displayName: Free\napis:\n  - orders\nsubscriptionRequired: false\nstate: published\n',
        'apis/orders/policy.xml': apiPolicy(counter),
      },
      findings: [
        'apis/orders/policy.xml:4:69: context.Subscription.Id dereferences a null subscription on anonymous calls (API orders is in product free, which does not require a subscription); use context.Subscription?.Id',
      ],
    },
  ]);
});
