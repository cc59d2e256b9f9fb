#!/usr/bin/env node
// `npm run demo`: the README quickstart. Starts the demo payments backend on 127.0.0.1:9091 and
// `apimops serve artifacts-sample` (in-memory store) on 127.0.0.1:8080, and prints requests to try.
// Ctrl-C stops both.
import { spawn, spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startDemoBackend } from './demo-backend.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const cli = join(root, 'bin', 'apimops.js');
const port = process.env.PORT ?? '8080';

const backend = await startDemoBackend(9091);
const token = (role) =>
  spawnSync(process.execPath, [cli, 'token', '--role', role], { cwd: root, encoding: 'utf8' }).stdout.trim();
const read = token('Payments.Read');
const write = token('Payments.Write');

const serve = spawn(process.execPath, [cli, 'serve', 'artifacts-sample', '--port', port], { cwd: root, stdio: 'inherit' });
const base = `http://127.0.0.1:${port}`;
process.stderr.write(`
Try (in another terminal):
  curl -i ${base}/payments/payments                                  # 401: no subscription key
  curl -i -H 'Ocp-Apim-Subscription-Key: starter-demo-key' -H 'Authorization: Bearer ${read.slice(0, 16)}…' ${base}/payments/payments
Tokens from the local identity provider (validate-jwt of the std-edge fragment accepts them offline):
  READ=$(node bin/apimops.js token --role Payments.Read)
  WRITE=$(node bin/apimops.js token --role Payments.Write)
  curl -i -H 'Ocp-Apim-Subscription-Key: starter-demo-key' -H "Authorization: Bearer $READ" ${base}/payments/payments/pay-1001
  curl -i -X POST -H 'Content-Type: application/json' -H 'Ocp-Apim-Subscription-Key: premium-demo-key' \\
       -H "Authorization: Bearer $WRITE" -d '{"amount": 42, "currency": "EUR"}' ${base}/payments/payments
  curl -i -H 'Ocp-Apim-Trace: true' -H 'Ocp-Apim-Subscription-Key: starter-demo-key' -H "Authorization: Bearer $READ" ${base}/payments/payments
`);
void write;
const stop = () => {
  serve.kill('SIGTERM');
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
serve.on('exit', (code) => {
  backend.close();
  process.exit(code ?? 0);
});
