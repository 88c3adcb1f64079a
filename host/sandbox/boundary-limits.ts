/**
 * The bounds on one value crossing the sandbox boundary, in either check: the guest's serializer
 * inside the isolate and the worker's check of the text it receives. One source, so the two
 * agree on what an app may pass.
 */
export const BOUNDARY_LIMITS = {
  /** Levels of nested arrays and objects. */
  maxDepth: 64,
  /** Values (each string, number, array, object …) in one call's arguments or one result. */
  maxNodes: 100_000,
  /** Characters of JSON text. */
  maxChars: 1_048_576,
} as const;
