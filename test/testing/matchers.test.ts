import { describe, expect, it } from 'vitest';
import { globToRegExp, jsonSubsetDifferences, lineDiff, matchBody, queryJsonPath } from '../../src/testing/index.js';

const at = { file: 'f', line: 1, column: 1 };

describe('JSONPath', () => {
  const doc = { items: [{ id: 'a', tags: ['x'] }, { id: 'b', tags: [] }], meta: { 'odd key': 1, nested: { id: 'c' } } };
  it.each([
    ['$.items[0].id', ['a']],
    ['$.items[-1].id', ['b']],
    ['$.items[*].id', ['a', 'b']],
    ["$.meta['odd key']", [1]],
    ['$..id', ['a', 'b', 'c']],
    ['$.meta.*', [1, { id: 'c' }]],
    ['$.nope', []],
  ])('%s', (path, values) => expect(queryJsonPath(doc, path)).toEqual(values));
  it('rejects what it does not support, with the column', () => {
    expect(() => queryJsonPath(doc, '$.items[?(@.id)]')).toThrow('unsupported selector [?(@.id)] at column 8');
  });
});

describe('body matching', () => {
  it('JSON subset: objects may have more keys; each difference is one line with its path', () => {
    expect(jsonSubsetDifferences({ a: 1, b: { c: [1, 2] } }, { a: 1, b: { c: [1, 3] }, extra: true })).toEqual([{ path: '$.b.c[1]', expected: 2, actual: 3 }]);
    expect(jsonSubsetDifferences({ a: [1] }, { a: [1, 2] })).toEqual([{ path: '$.a.length', expected: 1, actual: 2 }]);
    expect(jsonSubsetDifferences({ n: 5 }, { n: '5' })).toEqual([]); // numbers equal their text
  });
  it('exact text bodies fail with a line diff', () => {
    const [f] = matchBody({ equals: { value: 'one\ntwo\nthree', at } }, 'one\n2\nthree');
    expect(f!.diff).toBe('  one\n- two\n+ 2\n  three');
  });
  it('regex, contains, empty and not-JSON bodies', () => {
    expect(matchBody({ regex: { regex: /^ok/, source: '^ok', at } }, 'ok!')).toEqual([]);
    expect(matchBody({ contains: { text: 'x', at } }, 'abc')[0]).toMatchObject({ expected: 'containing "x"', actual: '"abc"' });
    expect(matchBody({ empty: { at } }, '')).toEqual([]);
    expect(matchBody({ json: { value: { a: 1 }, at } }, '<xml/>')[0]).toMatchObject({ actual: 'not JSON: "<xml/>"' });
  });
  it('lineDiff of equal texts has no +/- lines', () => {
    expect(lineDiff('a\nb', 'a\nb')).toBe('  a\n  b');
  });
});

describe('case file globs', () => {
  it.each([
    ['tests/**/*.test.yaml', 'tests/a.test.yaml', true],
    ['tests/**/*.test.yaml', 'tests/x/y/a.test.yaml', true],
    ['tests/**/*.test.yaml', 'other/a.test.yaml', false],
    ['tests/{auth,limits}.test.yaml', 'tests/limits.test.yaml', true],
    ['tests/a?.test.yaml', 'tests/ab.test.yaml', true],
  ])('%s ~ %s → %s', (glob, path, ok) => expect(globToRegExp(glob).test(path)).toBe(ok));
});
