/**
 * Benchmark: `apimops lint` on a large folder, against merely reading the same folder.
 *
 *   npm run build && npm run bench -- lint [--apis 2000] [--operations 5] [--runs 3] [--keep]
 *
 * Generates, in a temp folder, N APIs × M operations with realistic policies (every API and operation has
 * a policy.xml with <base />, expressions, named values, a fragment include, a set-backend-service; a
 * global policy with a JWT check in a fragment; two products with rate limits; a self-hosted gateway),
 * then times, each in a fresh child process (so peak memory is per measurement):
 *   read: readArtifacts(folderSource(dir))      — what every command does to load a folder
 *   lint: lintSource(folderSource(dir))          — read + parse every policy + every rule
 * Reports files/s, peak RSS, the lint/read ratio and the load average (the machine is shared: compare
 * the ratio, and re-run when the load is high). Goals (issue 4): lint < 2 s, ratio ≤ 2.
 *
 * Where lint's time goes, beyond the read (which it shares): one parse per policy file (lint parses with
 * `positions: 'lazy'` and `whitespaceText: 'drop'`, so a document keeps offsets instead of position objects
 * and no indentation nodes — on this machine every object kept for the run is what costs, in garbage
 * collection and page faults), one walk that indexes elements by name and expressions per file, policy
 * sites kept as parallel lists, and scope composition memoised on chain prefixes (every operation of an API
 * shares the scopes above it). Before this work: read 1.55 s, lint 3.49 s (2.26×) on a quiet machine;
 * after it: read 1.75 s, lint 2.33 s (1.33×) at a load average of 1.2–2.0.
 *
 * 2026-12-05: a folder of 200+ APIs is listed and read by a worker thread while the main thread parses
 * (src/artifacts/threaded-read.ts): the worker moves raw bytes in transferred chunks and makes no strings, so it
 * hardly allocates; the schemas are compiled at build time. In interleaved runs against the build before:
 * read 1.5 → 1.05–1.25 s, lint 2.3 → 2.0–2.4 s (this machine's speed drifts by ±20% over an hour; compare
 * builds in the same run). Tried and not kept, for whoever tries next:
 * - Linting in two threads: a worker reads the YAML into the state while the main thread parses the policies
 *   and runs the per-file rules. 2.55 s against 2.35 s: both threads allocate heavily, each ran ~30% slower
 *   beside the other (V8's parallel scavenges and concurrent marking had no free core any more), and handing
 *   the state over (structured clone) took ~0.4 s.
 * - A reading worker that posted strings: serialising them cost it as much as reading (~4% off the read).
 * - `open`/`read`/`close` with one buffer instead of `readFileSync` on the main thread, ajv's
 *   `validateSchema: false`, compiling schemas while the worker starts: nothing measurable.
 * 2026-12-05, afternoon: (1) policy resources and lint units were built as `{ ...makeResource(…), policy }` and
 * `{ ...place, document }`; in a large read V8 gave each such object a hidden class of its own (12,000 + 12,000
 * maps, ~7 MB, and megamorphic reads of unit fields in every rule): now assigned / one literal with every field,
 * 0.90× the time. (2) Lint parses each policy as the reader hands it over (`onPolicyText`), in the main thread's
 * waits for the reading thread; YAML files' lazy documents are a class instead of a literal with per-object
 * getters (closures and a map each). Together ~0.85× the morning's time; `npm run bench -- lint` gave 1.57 s and,
 * in a slow phase minutes later, 2.05 s. Measured and not kept: `--single-threaded-gc`, `--no-parallel-scavenge`,
 * `--min-semi-space-size=16`, `--max-semi-space-size=64` (none better than the defaults); the reading thread's
 * ~50 ms start is Node's worker boot (an eval'd one-liner takes as long), left as the one idle gap.
 * 2026-12-05, evening: the process is CPU-bound on both cores (CPU time ≈ 1.7× wall; per thread: main ~1.2 s,
 * V8's helper threads ~1.3 s, the reading thread ~0.6 s). perf: TurboFan's concurrent compiles are ~25% of all CPU
 * samples, page faults ~12% (~11 µs each on this VM: touching 200 MB costs 0.57 s; faults ≈ peak RSS / 4 KB),
 * scavenges ~15%. Kept (interleaved, 8 pairs: 0.91× the time, 0.94× the CPU): an ASCII batch from the reading
 * thread is decoded once and sliced per file; lazy nodes keep `type`/`selfClosing` on the prototype (72 B instead
 * of 88 per element); the schema validators load while the reading thread starts; parents and unit kinds come
 * from the kind table instead of regexes per key; the reader no longer checks policy references for lint (they
 * were reported twice). Measured and not kept: `--no-turbo-inlining` (+ `--interrupt-budget=132000`), set with
 * `v8.setFlagsFromString` at start: 0.95× the time, 0.92× the CPU here, but a process-wide knob that trades peak
 * speed for compile time (serve must not have it; larger folders gain less); `--single-generation`, `--maglev`,
 * `--max-semi-space-size=2…8`: nothing beyond the noise; a lower priority for the reading thread: nothing.
 * 2026-12-05, late evening (interleaved, 8 rounds each):
 * (1) rules about one policy or one expression are visitors the engine calls in one shared walk (five walks over
 * every policy site and two over every expression before), 0.97×; (2) the allocation profile (sampling heap
 * profiler with objects collected by minor/major GCs included) showed 442 MB allocated per lint, a fifth of it
 * iterator results of `for…of` in functions that run a few times per file and so stay unoptimised for much of the
 * run: indexed loops where every element, attribute and YAML value passes, one path array in the reference
 * check's YAML walk, key lines of fast-yaml by char code, open brackets of the C# scanner as pairs in one array —
 * 291 MB allocated, 0.94×; (3) `apimops lint` sets V8's --no-turbo-inlining when it starts (LINT_V8_FLAGS in
 * cli/commands/lint.ts; this benchmark measures read and lint with it): 0.92× at 500 APIs, 0.93–0.95× at 2,000,
 * 0.99× at 4,000, CPU 0.86–0.93×; tried on top of it, nothing beyond the noise: --always-sparkplug,
 * --interrupt-budget=200000, --no-use-osr, --max-inlined-bytecode-size=230. (An earlier session did not keep this
 * flag because it is process-wide: it is now set by the lint command only, never by serve.)
 * Measured and not kept: normalising YAML values in place instead of copying them (−4 MB,
 * no difference); object literals instead of class instances for elements and attributes, so that V8's
 * allocation-site pretenuring could put them straight into the old generation (1%, noise).
 * Where it stands: the main thread is busy from the first batch to the end, 40–65% of it in garbage collection
 * while the folder is read (scavenges copying what the read keeps: ~70 MB, copied twice; 0.34 s on the main thread
 * and 0.72 s on V8's helper threads per run). The reading thread is at the file system's floor (alone: list 0.25 s,
 * list and read 0.5 s, all of it in readdir/open/read/close). Parsing the operations' policies after the read
 * instead of in its gaps costs +0.24 s, so the read still has gaps, but only ~75 ms. What would move it next is
 * structural: walk the folder context-first (everything outside `apis/`, then each API) and run the rules of an
 * API as soon as its folder is read, so that the rules (~0.35 s) fill the read's gaps and an operation's
 * document dies young (keeping them all costs ~0.09 s).
 * 2026-12-06: that structural change, done. The reading thread scans API folders last (folder-walk.ts `apisLast`),
 * the reader announces each API folder once read (`onApiFolderRead`; not an API with a specification, whose
 * operations are known only at the end), and lint runs the rules on that API then (rules see a batch of units:
 * `batch`/`end` visitors; runLint makes the same batches from a whole input, and a test checks both ways find the
 * same). An API's documents die young; the global, product, workspace and fragment policies are kept and linted
 * last. Interleaved against the build before (5 pairs): 0.87× the time, peak RSS 184 → 140 MB. Then
 * backend-without-forward stopped remembering every element in a WeakMap (it cost more than the walk it saved):
 * the rules' share (lint with no rule against every rule) ~0.33 → ~0.25 s. Measured here, to bound what is left:
 * lint without any rule takes the time of the read (0.95 s against 1.0 s), so the rules are the whole difference;
 * dropping operation documents unparsed would save another ~0.2 s, keeping them all cost ~0.15–0.2 s (hence the
 * batches). Tried and not kept: starting the reading thread before the command's modules load (`apimops lint`
 * spends ~0.1 s waiting for the thread to start): no gain, the thread then competes with the module loading for
 * the second core. Found on the way: `apimops lint` made each of the folder's 24,000 paths relative to the
 * working directory with path.relative/resolve (~0.2 s of the command): now the folder's prefix + the path.
 * `--minor-mc` (V8's young-generation mark-compact) and `--no-opt` (with or without sparkplug/maglev): slower.
 * Then the reader leaves an announced API folder's operations and policies out of its state once they are checked
 * (`releaseApiFolders`, lint only): 10 interleaved pairs 0.95× the time (7 of 10 faster; a slow phase, ±15% noise),
 * peak RSS −10 MB. An experiment that also skipped their reference checks gave 0.88×: those checks are the rest.
 * All of the day's changes against the build before them, interleaved (8 pairs): 0.75× the time, 0.79× the CPU.
 * What is left: the read itself (YAML, policy parse, garbage collection of the state the read keeps,
 * ~28,000 page faults at ~11 µs on this VM) and the rules (~0.25 s). The benchmark also times `apimops lint <dir>`
 * end to end: ~0.35 s more (node's start ~0.1 s, the command's ~90 modules ~0.15 s).
 * Earlier note — what is left on the main thread: ~0.55 s of garbage collection, mostly copying what survives (lint keeps
 * ~85 MB, 47 MB of it the parsed policies, ~3.9 KB for a 600-byte file; a larger young generation made it
 * slower), then the YAML, the policy parse (~0.38 s) and the rules (~0.6 s). Fewer objects kept is what
 * would move it now.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const args = process.argv.slice(2);
const flag = (name: string, def: number) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : def;
};

if (args[0] === '--measure') {
  const [, what, dir] = args;
  // The compiled modules, as the CLI runs them: the reading thread (src/artifacts/read-worker.ts) exists only there.
  type FolderSource = typeof import('../src/artifacts/folder-source.js');
  type Reader = typeof import('../src/artifacts/reader.js');
  type LintRun = typeof import('../src/lint/run.js');
  type LintCommand = typeof import('../src/cli/commands/lint.js');
  const dist = (p: string) => import(new URL(`../dist/${p}`, import.meta.url).href);
  // As `apimops lint` runs (its V8 flags, LINT_V8_FLAGS); the read is measured under the same flags, so the ratio
  // compares the work, not the settings.
  ((await dist('cli/commands/lint.js')) as LintCommand).tuneV8ForLint();
  const { folderSource } = (await dist('artifacts/folder-source.js')) as FolderSource;
  const { readArtifacts } = (await dist('artifacts/reader.js')) as Reader;
  const { lintSource } = (await dist('lint/run.js')) as LintRun;
  const t0 = performance.now();
  let files = 0;
  let findings = 0;
  if (what === 'read') {
    const source = folderSource(dir!);
    const r = await readArtifacts(source);
    files = (await source.listFiles()).length;
    findings = r.diagnostics.length;
  } else {
    const r = await lintSource(folderSource(dir!));
    files = r.filesRead;
    findings = r.findings.length;
  }
  const ms = performance.now() - t0;
  process.stdout.write(JSON.stringify({ what, ms, files, findings, maxRssMb: process.resourceUsage().maxRSS / 1024 }));
  process.exit(0);
}

if (!existsSync(new URL('../dist/lint/run.js', import.meta.url))) {
  process.stderr.write('run `npm run build` first\n');
  process.exit(2);
}

const APIS = flag('apis', 2000);
const OPS = flag('operations', 5);
const RUNS = flag('runs', 3);

function generate(root: string): number {
  let n = 0;
  const w = (p: string, text: string) => {
    mkdirSync(dirname(join(root, p)), { recursive: true });
    writeFileSync(join(root, p), text);
    n++;
  };
  w('policy.xml', `<policies>
  <inbound>
    <set-header name="X-Correlation-Id" exists-action="skip"><value>@(context.RequestId.ToString())</value></set-header>
    <include-fragment fragment-id="std-edge" />
  </inbound>
  <backend><forward-request /></backend>
  <outbound><set-header name="X-Powered-By" exists-action="delete" /></outbound>
  <on-error><set-header name="X-Correlation-Id" exists-action="override"><value>@(context.RequestId.ToString())</value></set-header></on-error>
</policies>
`);
  w('policyFragments/std-edge/policyFragment.yaml', 'description: JWT check\n');
  w('policyFragments/std-edge/policy.xml', `<fragment>
  <validate-jwt header-name="Authorization" failed-validation-httpcode="401" require-scheme="Bearer" output-token-variable-name="jwt" clock-skew="60">
    <openid-config url="https://login.microsoftonline.com/{{TenantId}}/v2.0/.well-known/openid-configuration" />
    <audiences><audience>{{Audience}}</audience></audiences>
  </validate-jwt>
</fragment>
`);
  w('namedValues/tenant-id/namedValue.yaml', 'displayName: TenantId\nsecret: false\nvalue: 72f988bf-86f1-41af-91ab-2d7cd011db47\n');
  w('namedValues/audience/namedValue.yaml', 'displayName: Audience\nsecret: false\nvalue: api://payments\n');
  w('namedValues/backend-key/namedValue.yaml', 'displayName: BackendKey\nsecret: true\n');
  w('backends/main/backend.yaml', 'protocol: http\nurl: https://backend.example.com\n');
  const apiNames = Array.from({ length: APIS }, (_, i) => `api-${String(i).padStart(4, '0')}`);
  for (const [product, calls] of [
    ['gold', 1000],
    ['starter', 10],
  ] as const) {
    w(`products/${product}/product.yaml`, `displayName: ${product}\nsubscriptionRequired: true\nstate: published\napis:\n${apiNames.filter((_, i) => i % 2 === (product === 'gold' ? 0 : 1)).map((a) => `  - ${a}`).join('\n')}\n`);
    w(`products/${product}/policy.xml`, `<policies>
  <inbound>
    <base />
    <rate-limit-by-key calls="${calls}" renewal-period="60" counter-key="@(context.Subscription.Id)" />
  </inbound>
  <backend><base /></backend>
  <outbound><base /></outbound>
  <on-error><base /></on-error>
</policies>
`);
  }
  w('gateways/onprem/gateway.yaml', `locationData:\n  name: DC1\napis:\n${apiNames.slice(0, 20).map((a) => `  - ${a}`).join('\n')}\n`);
  for (const api of apiNames) {
    w(`apis/${api}/api.yaml`, `displayName: ${api}\npath: ${api}\nprotocols:\n  - https\nsubscriptionRequired: true\nserviceUrl: https://backend.example.com/${api}\n`);
    w(`apis/${api}/policy.xml`, `<policies>
  <inbound>
    <base />
    <set-backend-service backend-id="main" />
    <set-header name="X-Api-Key" exists-action="override"><value>{{BackendKey}}</value></set-header>
    <choose>
      <when condition="@(context.Request.Method == "POST" &amp;&amp; !context.Request.Headers.ContainsKey("Idempotency-Key"))">
        <return-response>
          <set-status code="400" reason="Bad Request" />
          <set-body>@(new JObject(new JProperty("error", "Idempotency-Key is required")).ToString())</set-body>
        </return-response>
      </when>
    </choose>
  </inbound>
  <backend>
    <retry condition="@(context.Response.StatusCode == 503)" count="2" interval="1" first-fast-retry="true">
      <forward-request buffer-request-body="true" timeout="20" />
    </retry>
  </backend>
  <outbound><base /></outbound>
  <on-error><base /></on-error>
</policies>
`);
    for (let o = 0; o < OPS; o++) {
      const op = `op-${o}`;
      w(`apis/${api}/operations/${op}/operation.yaml`, `displayName: Operation ${o}\nmethod: ${o % 2 ? 'POST' : 'GET'}\nurlTemplate: /items/${o}/{id}\ntemplateParameters:\n  - name: id\n    required: true\n    type: string\n`);
      w(`apis/${api}/operations/${op}/policy.xml`, `<policies>
  <inbound>
    <base />
    <set-variable name="itemId" value="@(context.Request.MatchedParameters.GetValueOrDefault("id", ""))" />
    <cache-lookup-value key="@("item-" + (string)context.Variables["itemId"])" variable-name="cached" />
    <rewrite-uri template="/v2/items/{id}" copy-unmatched-params="true" />
  </inbound>
  <backend><base /></backend>
  <outbound>
    <base />
    <set-header name="Cache-Control" exists-action="override"><value>@($"max-age={(context.Response.StatusCode == 200 ? 60 : 0)}")</value></set-header>
  </outbound>
  <on-error><base /></on-error>
</policies>
`);
    }
  }
  return n;
}

function measure(what: 'read' | 'lint', dir: string): { ms: number; files: number; findings: number; maxRssMb: number } {
  const self = fileURLToPath(import.meta.url);
  const r = spawnSync(process.execPath, [...process.execArgv, self, '--measure', what, dir], { encoding: 'utf8', maxBuffer: 1 << 24 });
  if (r.status !== 0) throw new Error(`${what} failed: ${r.stderr}`);
  return JSON.parse(r.stdout);
}

/**
 * `apimops lint <dir>` as a user runs it, timed from outside: node's start, the command's modules, the lint and
 * the report (stylish, to a pipe). Not part of the ratio: the read has no command of its own.
 */
function measureCli(dir: string): number {
  const bin = fileURLToPath(new URL('../bin/apimops.js', import.meta.url));
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [bin, 'lint', dir], { encoding: 'utf8', maxBuffer: 1 << 24 });
  const ms = performance.now() - t0;
  // 0: no finding at the failing severity; 1: some (the folder's warnings are not errors, but a change may add some).
  if (r.status !== 0 && r.status !== 1) throw new Error(`apimops lint failed (${r.status}): ${r.stderr}`);
  return ms;
}

const dir = mkdtempSync(join(tmpdir(), 'apimops-bench-lint-'));
try {
  const t0 = performance.now();
  const files = generate(dir);
  process.stdout.write(`generated ${files} files (${APIS} APIs × ${OPS} operations) in ${((performance.now() - t0) / 1000).toFixed(1)} s: ${dir}\n`);
  const load0 = loadavg()[0]!;
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const reads: ReturnType<typeof measure>[] = [];
  const lints: ReturnType<typeof measure>[] = [];
  const clis: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    reads.push(measure('read', dir));
    lints.push(measure('lint', dir));
    clis.push(measureCli(dir));
  }
  const read = median(reads.map((r) => r.ms));
  const lint = median(lints.map((r) => r.ms));
  const cli = median(clis);
  const row = (name: string, ms: number, m: ReturnType<typeof measure>) =>
    `${name.padEnd(5)} ${(ms / 1000).toFixed(2).padStart(6)} s  ${Math.round(m.files / (ms / 1000)).toString().padStart(7)} files/s  peak RSS ${Math.round(Math.max(...(name === 'read' ? reads : lints).map((r) => r.maxRssMb)))} MB  (${m.findings} ${name === 'read' ? 'diagnostics' : 'findings'})`;
  process.stdout.write(`median of ${RUNS} runs, each in a fresh process (time excludes module load):\n`);
  process.stdout.write(`${row('read', read, reads[0]!)}\n${row('lint', lint, lints[0]!)}\n`);
  process.stdout.write(`\`apimops lint\` end to end (node's start, modules, report): ${(cli / 1000).toFixed(2)} s\n`);
  process.stdout.write(`lint / read = ${(lint / read).toFixed(2)}×   goals: lint < 2 s (${lint < 2000 ? 'met' : 'NOT met'}), ratio ≤ 2 (${lint / read <= 2 ? 'met' : 'NOT met'})\n`);
  process.stdout.write(`load average (1 min) before ${load0.toFixed(2)}, after ${loadavg()[0]!.toFixed(2)} on ${availableParallelism()} cores\n`);
} finally {
  if (!args.includes('--keep')) rmSync(dir, { recursive: true, force: true });
}
