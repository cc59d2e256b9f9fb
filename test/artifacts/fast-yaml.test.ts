import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { parse } from 'yaml';
import { NOT_SIMPLE, parseSimpleYaml } from '../../src/artifacts/fast-yaml.js';
import { parseYamlFile, positionOf } from '../../src/artifacts/yaml-doc.js';

/** What the full parser gives (the reference), or 'error'. */
function reference(text: string): unknown {
  try {
    return parse(text, { uniqueKeys: true, maxAliasCount: 100 });
  } catch {
    return 'error';
  }
}

describe('parseSimpleYaml (fast path of information files)', () => {
  it('reads typical information files exactly as the yaml package does', () => {
    const texts = [
      '# yaml-language-server: $schema=../../schemas/api.schema.json\ndisplayName: Payments\npath: payments\nprotocols:\n  - https\nsubscriptionRequired: true\n',
      'displayName: Op\nmethod: GET\nurlTemplate: /items/{id}\ntemplateParameters:\n  - name: id\n    required: true\n    type: string\n  - name: q\n    values: []\n',
      "a: 'it''s'\nb: \"quoted: yes\"\nc: ~\nd: null\ne: -12\nf: 0\ng: {}\nh:\n- x\n- y\ni:\n  j:\n    k: v\n",
      '',
      '# only a comment\n',
      'subscriptionId: 00000000-0000-0000-0000-000000000001\ntenant: 72f988bf-86f1-41af-91ab-2d7cd011db47\nsince: 2024-01-01\n',
    ];
    for (const t of texts) {
      const v = parseSimpleYaml(t);
      expect(v).not.toBe(NOT_SIMPLE);
      expect(v).toStrictEqual(reference(t));
    }
  });

  it('gives up on what it is not sure about', () => {
    for (const t of ['a: &x 1\nb: *x\n', 'a: [1, 2]\n', 'a: |\n  text\n', 'a: b\n  c\n', 'a: 1.5\n', 'a: 1\na: 2\n', 'a: x # note\n', '"a": 1\n', 'a:\tb\n', 'a: "\\n"\n', '- a\n- - b\n', 'a: 1e-5\n', 'a: 2024-01-01 # x\n', '__proto__: 1\n', 'true: 1\n', 'a: :x\n', 'a: b: c\n']) {
      expect(parseSimpleYaml(t), t).toBe(NOT_SIMPLE);
    }
  });

  it('never disagrees with the yaml package on generated block YAML', () => {
    const word = fc.constantFrom('a', 'b', 'name', 'x-y', 'k.v', 'true', 'null', '__proto__', 'a/b', 'A1');
    const value = fc.constantFrom('v', 'x y', 'true', 'False', 'NULL', '~', '12', '-3', '007', '1.0', '-x', "'q'", "'it''s'", '"dq"', '"a\\"b"', '[]', '{}', '[1]', 'a:b', 'a: b', 'a #c', 'a#c', '#c', '&x', '*x', '!t', '|', '>', '%', '@', '`', '{{NV}}', 'https://h/p?q=1', '', ' ', 'é', '-', '- a', '? a', ': a', 'b:', '2024-01-01', '1e-5', '1E-3x', '0-x', '9-', '12-a.b', '0000-11:', '7f-3 #c');
    const line = fc.tuple(fc.integer({ min: 0, max: 6 }), fc.boolean(), fc.oneof(word, fc.constant('')), value).map(
      ([indent, item, key, v]) => `${' '.repeat(indent)}${item ? '- ' : ''}${key === '' ? v : `${key}:${v === '' ? '' : ` ${v}`}`}`,
    );
    fc.assert(
      fc.property(fc.array(line, { maxLength: 8 }), (lines) => {
        const text = `${lines.join('\n')}\n`;
        const v = parseSimpleYaml(text);
        if (v === NOT_SIMPLE) return true;
        const ref = reference(text);
        expect(ref, text).not.toBe('error');
        expect(v, text).toStrictEqual(ref);
        return true;
      }),
      { numRuns: 5000 },
    );
  });

  it('never disagrees with the yaml package on generated nested documents', () => {
    const key = fc.constantFrom('a', 'b', 'name', 'x-y', 'k.v', 'true', 'a/b', 'A1', 'a b', '-k');
    const scalar = fc.constantFrom('v', 'x y', 'true', 'NULL', '~', '12', '-3', '007', '1.0', "'it''s'", '"dq"', '[]', '{}', '[1]', 'a:b', 'a: b', 'a #c', '{{NV}}', 'https://h/p?q=1', 'é', '-x', '');
    type Tree = string | { map: [string, Tree][] } | { seq: Tree[] };
    const { tree } = fc.letrec<{ tree: Tree }>((tie) => ({
      tree: fc.oneof(
        { depthSize: 'small', withCrossShrink: true },
        scalar,
        fc.record({ map: fc.array(fc.tuple(key, tie('tree')), { minLength: 1, maxLength: 4 }) }),
        fc.record({ seq: fc.array(tie('tree'), { minLength: 1, maxLength: 3 }) }),
      ),
    }));
    const render = (t: Tree, indent: number, step: number, sameLineSeq: boolean): string[] => {
      const pad = ' '.repeat(indent);
      if (typeof t === 'string') return [`${pad}${t}`];
      if ('map' in t) {
        return t.map.flatMap(([k, v]) => {
          if (typeof v === 'string') return [`${pad}${k}:${v === '' ? '' : ` ${v}`}`];
          const seqHere = 'seq' in v && sameLineSeq;
          return [`${pad}${k}:`, ...render(v, seqHere ? indent : indent + step, step, sameLineSeq)];
        });
      }
      return t.seq.flatMap((v) => {
        const inner = render(v, indent + 2, step, sameLineSeq);
        return [`${pad}- ${inner[0]!.trimStart()}`, ...inner.slice(1)];
      });
    };
    let hits = 0;
    fc.assert(
      fc.property(fc.record({ map: fc.array(fc.tuple(key, tree), { minLength: 1, maxLength: 4 }) }), fc.constantFrom(1, 2, 4), fc.boolean(), (doc, step, same) => {
        const text = `${render(doc, 0, step, same).join('\n')}\n`;
        const v = parseSimpleYaml(text);
        if (v === NOT_SIMPLE) return true;
        const ref = reference(text);
        expect(ref, text).not.toBe('error');
        expect(v, text).toStrictEqual(ref);
        hits++;
        return true;
      }),
      { numRuns: 3000 },
    );
    // The generator must exercise the fast path, not only its refusals.
    expect(hits).toBeGreaterThan(100);
  });

  it('parseYamlFile still gives positions (the document is built on demand)', () => {
    const { yaml, diagnostics } = parseYamlFile('a.yaml', 'a: 1\nlist:\n  - x\n  - y\n');
    expect(diagnostics).toEqual([]);
    expect(yaml.value).toEqual({ a: 1, list: ['x', 'y'] });
    expect(positionOf(yaml, ['list', 1])).toEqual({ line: 4, column: 5 });
  });
});
