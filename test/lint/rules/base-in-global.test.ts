import { describe } from 'vitest';
import { BASE_FOLDER, testRule } from '../support.js';

describe('base-in-global', () => {
  testRule('base-in-global', [
    { name: 'global policy without <base />', files: {}, findings: [] },
    {
      name: '<base /> in global on-error and in a fragment',
      files: {
        'policy.xml': BASE_FOLDER['policy.xml']!.replace('<on-error />', '<on-error>\n    <base />\n  </on-error>'),
        'policyFragments/f/policyFragment.yaml': 'description: f\n',
        'policyFragments/f/policy.xml': '<fragment>\n  <base />\n</fragment>\n',
      },
      findings: [
        'policy.xml:12:5: <base /> in the global policy: it has no broader scope (APIM rejects it: "Element is not allowed in global context"); remove it',
        'policyFragments/f/policy.xml:2:3: <base /> is not allowed in a policy fragment (fragment f); put it in the section that includes the fragment',
      ],
    },
  ]);
});
