/**
 * Every real policy of the corpus (POLICY-ENGINE.md §7) loads into a gateway with stub named values, or
 * fails with positioned diagnostics (file:line:column) — never a crash. The outcome of each file is pinned
 * so a regression in either direction shows.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findNamedValueReferences } from '../../src/policy/index.js';
import { createGateway, GatewayLoadError } from '../../src/gateway/index.js';
import { buildState } from './helpers.js';
import { CORPUS_DIR } from '../support/shared.js';

const ROOT = CORPUS_DIR;

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? files(p) : p.endsWith('.xml') ? [p] : [];
  });
}

const corpus = files(ROOT).sort();

async function load(file: string): Promise<{ ok: true } | { ok: false; diagnostics: { file?: string; line?: number; column?: number; message: string }[] }> {
  const text = readFileSync(file, 'utf8');
  const rel = relative(ROOT, file);
  const namedValues: Record<string, string> = {};
  for (const r of findNamedValueReferences(text)) namedValues[r.name] = '1'; // valid as text, as a number, and as C# code
  const isFragment = /^\s*(<\?xml[^>]*>\s*)?(<!--[\s\S]*?-->\s*)*<fragment/.test(text);
  const spec = isFragment
    ? { global: '<policies><inbound><include-fragment fragment-id="f" /></inbound><backend><forward-request /></backend><outbound /><on-error /></policies>', fragments: { f: text } }
    : { global: text };
  const state = buildState({
    ...spec,
    namedValues,
    apis: [{ name: 'api', path: 'api', serviceUrl: 'http://127.0.0.1:9/', operations: [{ name: 'op', method: 'GET', urlTemplate: '/x' }] }],
  });
  // The corpus file keeps its own name in positions.
  for (const r of [...state.servicePolicy.values(), ...state.policyFragment.values()]) {
    if (r.policy && r.policy.text === text) r.policy.origin = { file: rel };
  }
  try {
    const gw = await createGateway({ state });
    await gw.close();
    return { ok: true };
  } catch (e) {
    if (e instanceof GatewayLoadError) return { ok: false, diagnostics: [...e.diagnostics] };
    throw e;
  }
}

describe('corpus policies load into the gateway or fail with positions', () => {
  it('has the 59 corpus files', () => {
    expect(corpus.length).toBe(59);
  });

  it.each(corpus.map((f) => [relative(ROOT, f)]))('%s', async (rel) => {
    const result = await load(join(ROOT, rel));
    if (!result.ok) {
      expect(result.diagnostics.length).toBeGreaterThan(0);
      for (const d of result.diagnostics) {
        expect(d.file, d.message).toBeTruthy();
        expect(d.line, d.message).toBeGreaterThan(0);
        expect(d.column, d.message).toBeGreaterThan(0);
      }
    }
    expect({ file: rel, outcome: result.ok ? 'loads' : `fails: ${result.diagnostics[0]!.message.split('\n')[0]}` }).toMatchSnapshot();
  });
});
