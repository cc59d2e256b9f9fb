// `npm run bench -- artifacts [apis]`: reading and writing an artifact folder of N APIs (default 1000, each
// with api.yaml, an OpenAPI specification, a policy using a named value) against a baseline in the same run:
// the bare minimum of the same I/O (read every file and YAML.parse it; write every file). Prints medians of 5
// rounds and the ratio to the baseline — the overhead of schemas, references, policy parsing and atomicity.
import { mkdtempSync, rmSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { parse } from 'yaml';
import { folderSource } from '../src/artifacts/folder-source.js';
import { readArtifacts } from '../src/artifacts/reader.js';
import { renderArtifacts, writeArtifacts } from '../src/artifacts/writer.js';
import { memorySource } from '../src/artifacts/folder-source.js';

const apis = Number(process.argv[2] ?? 1000);
const files = new Map<string, string>();
for (let i = 0; i < 10; i++) files.set(`namedValues/nv-${i}/namedValue.yaml`, `displayName: nv-${i}\nvalue: v${i}\n`);
for (let i = 0; i < apis; i++) {
  files.set(`apis/api-${i}/api.yaml`, `displayName: API ${i}\npath: p${i}\nprotocols:\n  - https\nsubscriptionRequired: true\n`);
  files.set(`apis/api-${i}/policy.xml`, `<policies>\n  <inbound>\n    <base />\n    <set-header name="x" exists-action="override"><value>{{nv-${i % 10}}}</value></set-header>\n  </inbound>\n  <backend><base /></backend>\n  <outbound><base /></outbound>\n  <on-error><base /></on-error>\n</policies>\n`);
  files.set(`apis/api-${i}/specification.yaml`, `openapi: 3.0.1\ninfo: {title: a, version: "1"}\npaths:\n  /x:\n    get:\n      operationId: get-x\n    post:\n      operationId: post-x\n`);
}
const root = mkdtempSync(join(tmpdir(), 'apimops-bench-artifacts-'));
const { state } = await readArtifacts(memorySource(files));
const rendered = renderArtifacts(state);

async function baselineWrite(dir: string): Promise<void> {
  for (const [p, t] of rendered) {
    const f = join(dir, p);
    await mkdir(dirname(f), { recursive: true });
    await writeFile(f, t);
  }
}
async function baselineRead(dir: string): Promise<void> {
  const list = await folderSource(dir).listFiles();
  await Promise.all(list.map(async (p) => {
    const t = await readFile(join(dir, p), 'utf8');
    if (p.endsWith('.yaml')) parse(t);
  }));
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const time = async (fn: () => Promise<unknown>): Promise<number> => {
  const t = performance.now();
  await fn();
  return performance.now() - t;
};
const r = { baseWrite: [] as number[], write: [] as number[], baseRead: [] as number[], read: [] as number[], rewrite: [] as number[] };
try {
  for (let round = 0; round < 5; round++) {
    const a = join(root, `base-${round}`);
    const b = join(root, `ours-${round}`);
    r.baseWrite.push(await time(() => baselineWrite(a)));
    r.write.push(await time(() => writeArtifacts(state, b)));
    r.baseRead.push(await time(() => baselineRead(a)));
    r.read.push(await time(() => readArtifacts(folderSource(b))));
    r.rewrite.push(await time(() => writeArtifacts(state, b)));
  }
  const row = (label: string, ours: number[], base: number[]): string =>
    `${label.padEnd(28)} ${median(ours).toFixed(0).padStart(6)} ms   baseline ${median(base).toFixed(0).padStart(6)} ms   ×${(median(ours) / median(base)).toFixed(2)}`;
  process.stdout.write(`artifact folder of ${apis} APIs (${rendered.size} files), medians of 5 rounds\n`);
  process.stdout.write(`${row('readArtifacts', r.read, r.baseRead)}\n`);
  process.stdout.write(`${row('writeArtifacts (new folder)', r.write, r.baseWrite)}\n`);
  process.stdout.write(`${row('writeArtifacts (no change)', r.rewrite, r.baseRead)}\n`);
} finally {
  rmSync(root, { recursive: true, force: true });
}
