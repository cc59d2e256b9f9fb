/**
 * `npm run fake-arm -- --port <p> --seed <folder-or-json>`: a fake ARM server on 127.0.0.1 to try extract
 * and publish without Azure. A folder seed is published into it through its own HTTP API; a JSON/YAML seed
 * is a snapshot (`{ "resources": [ { "path", "properties" } ] }`, as `GET /_fake/snapshot` returns).
 */
import { readFileSync, statSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { FaultRule } from './faults.js';
import { parseSnapshot, startFakeArm } from './server.js';
import { seedFakeFromFolder } from './seed.js';

const USAGE = `usage: npm run fake-arm -- [--port 8081] [--seed <artifact-folder | snapshot.json>]
         [--subscription <uuid>] [--resource-group <rg>] [--service <name>]
         [--latency <ms>] [--page-size <n>] [--faults <rules.json>] [--defaults]`;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string', default: '8081' },
      seed: { type: 'string' },
      subscription: { type: 'string' },
      'resource-group': { type: 'string' },
      service: { type: 'string' },
      latency: { type: 'string' },
      'page-size': { type: 'string' },
      faults: { type: 'string' },
      defaults: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const seed = values.seed;
  const isFolder = seed !== undefined && statSync(seed).isDirectory();
  const fake = await startFakeArm({
    port: Number(values.port),
    ...(values.subscription ? { subscriptionId: values.subscription } : {}),
    ...(values['resource-group'] ? { resourceGroup: values['resource-group'] } : {}),
    ...(values.service ? { serviceName: values.service } : {}),
    ...(values.latency ? { latencyMs: Number(values.latency) } : {}),
    ...(values['page-size'] ? { pageSize: Number(values['page-size']) } : {}),
    ...(seed && !isFolder ? { snapshot: parseSnapshot(readFileSync(seed, 'utf8')) } : {}),
    defaults: values.defaults,
    record: false, // a long-running server must not keep every request
  });
  if (seed && isFolder) await seedFakeFromFolder(fake, seed);
  if (values.faults) fake.faults.set(JSON.parse(readFileSync(values.faults, 'utf8')) as FaultRule[]);
  process.stderr.write(
    `fake ARM listening on ${fake.url} (${fake.store.size} resources)\n` +
      `service: ${fake.serviceId}\n` +
      `try: apimops extract --subscription ${fake.subscriptionId} --resource-group ${fake.resourceGroup} --service ${fake.serviceName} --endpoint ${fake.url} --out /tmp/extracted\n`,
  );
  const stop = () => void fake.close().then(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((err: unknown) => {
  process.stderr.write(`fake-arm: ${(err as Error).message}\n${USAGE}\n`);
  process.exit(2);
});
