import { BOUNDARY_LIMITS } from '../../sdk/app/boundary-limits.js';

/**
 * Checks a message's parsed JSON arguments from the sandbox before anything forwards them: depth,
 * value count and "__proto__" keys (prototype pollution through Object.assign in host code).
 * JSON.parse builds any depth without recursion, but every consumer after it (process.send, the
 * host's handlers) recurses, so depth is checked here, on a walk that itself stops at the bound.
 * The bounds are the guest's, plus the runtime's frame around the value it bounded.
 * Returns what is wrong, or null.
 */
export function boundedDataProblem(args: unknown): string | null {
  const budget = { nodes: BOUNDARY_LIMITS.maxNodes + BOUNDARY_LIMITS.frame.nodes };
  return walk(args, 0, budget);
}

function walk(value: unknown, depth: number, budget: { nodes: number }): string | null {
  if (--budget.nodes < 0) return `More than ${BOUNDARY_LIMITS.maxNodes} values cross the sandbox boundary in one call.`;
  if (value === null || typeof value !== 'object') return null;
  if (depth >= BOUNDARY_LIMITS.maxDepth + BOUNDARY_LIMITS.frame.depth)
    return `Arguments nest deeper than ${BOUNDARY_LIMITS.maxDepth} levels.`;
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
