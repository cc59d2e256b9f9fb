import { describe } from 'vitest';
import { apiPolicy, testRule } from '../support.js';

describe('undefined-logger', () => {
  testRule('undefined-logger', [
    {
      name: 'an existing logger',
      files: {
        'loggers/audit/logger.yaml': 'loggerType: azureEventHub\ndescription: audit\n',
        'apis/orders/policy.xml': apiPolicy('    <log-to-eventhub logger-id="audit">@(context.RequestId.ToString())</log-to-eventhub>'),
      },
      findings: [],
    },
    {
      name: 'a missing logger',
      files: { 'apis/orders/policy.xml': apiPolicy('    <log-to-eventhub logger-id="audit">@(context.RequestId.ToString())</log-to-eventhub>') },
      findings: ['apis/orders/policy.xml:4:33: logger "audit" does not exist (no loggers/audit/)'],
    },
  ]);
});
