import { BOUNDARY_LIMITS } from './boundary-limits.js';

/**
 * Checks parsed JSON from the sandbox before anything forwards it: depth, value count and
 * "__proto__" keys (prototype pollution through Object.assign in host code). JSON.parse builds
 * any depth without recursion, but every consumer after it (process.send, the host's handlers)
 * recurses, so depth is checked here, on a walk that itself stops at the bound.
 * Returns what is wrong, or null.
 */
export function boundedDataProblem(value: unknown): string | null {
  const budget = { nodes: BOUNDARY_LIMITS.maxNodes };
  return walk(value, 0, budget);
}

function walk(value: unknown, depth: number, budget: { nodes: number }): string | null {
  if (--budget.nodes < 0) return `More than ${BOUNDARY_LIMITS.maxNodes} values cross the sandbox boundary in one call.`;
  if (value === null || typeof value !== 'object') return null;
  if (depth >= BOUNDARY_LIMITS.maxDepth) return `Arguments nest deeper than ${BOUNDARY_LIMITS.maxDepth} levels.`;
  if (Array.isArray(value)) {
    for (const item of value) {
      const problem = walk(item, depth + 1, budget);
      if (problem) return problem;
    }
    return null;
  }
  for (const key of Object.keys(value)) {
    if (key === '__proto__') return 'A "__proto__" key cannot cross the sandbox boundary.';
    const problem = walk((value as Record<string, unknown>)[key], depth + 1, budget);
    if (problem) return problem;
  }
  return null;
}
