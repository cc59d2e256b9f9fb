import { describe, expect, it } from 'vitest';
import { MemoryStore } from '../../src/gateway/stores/memory.js';
import { storeContract } from './contract.js';

storeContract('memory', async () => new MemoryStore());

describe('MemoryStore', () => {
  it('forgets the least recently used values beyond maxValues', async () => {
    const s = new MemoryStore({ maxValues: 2 });
    await s.setValue('a', '1', 1000, 0);
    await s.setValue('b', '2', 1000, 0);
    await s.getValue('a', 1);
    await s.setValue('c', '3', 1000, 0);
    expect(await s.getValue('a', 1)).toBe('1');
    expect(await s.getValue('b', 1)).toBeUndefined();
    expect(await s.getValue('c', 1)).toBe('3');
  });
});
