import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { RULES } from '../../src/lint/rules/index.js';

const here = import.meta.dirname;

describe('rule registry', () => {
  it('has one file per rule, named after its id, and one table test per rule', () => {
    const files = readdirSync(join(here, '../../src/lint/rules')).filter((f) => f !== 'index.ts' && f.endsWith('.ts') && !f.endsWith('.test.ts'));
    expect(files.map((f) => f.replace(/\.ts$/, '')).sort()).toEqual(RULES.map((r) => r.id).sort());
    for (const r of RULES) expect(existsSync(join(here, 'rules', `${r.id}.test.ts`)), r.id).toBe(true);
  });

  it('gives every rule a unique id, a description, help text and an example', () => {
    expect(new Set(RULES.map((r) => r.id)).size).toBe(RULES.length);
    for (const r of RULES) {
      expect(r.description.length, r.id).toBeGreaterThan(20);
      expect(r.help.length, r.id).toBeGreaterThan(10);
      expect(r.example?.bad, r.id).toBeTruthy();
      // A rule looks at the whole model (check), or at policies/expressions in the engine's walk (create), or both.
      expect(typeof r.check === 'function' || typeof r.create === 'function', r.id).toBe(true);
    }
  });
});
