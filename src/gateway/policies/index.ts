/**
 * The policy registry: XML element name → implementation. Adding a policy = one file + one line here
 * (STYLE.md convention 2). An element not in this table fails the load with its position.
 */
import type { PolicyModule } from './types.js';

export * from './types.js';

const modules: PolicyModule[] = [
  // gateway core (issue 5) — lines added as the files land
  // traffic & security (issue 6) — validate-jwt, rate-limit*, quota*, cache-*, retry, limit-concurrency
];

/** Element name → module. */
export const POLICIES: ReadonlyMap<string, PolicyModule> = new Map(modules.map((m) => [m.name, m]));
