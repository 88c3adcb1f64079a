import type { Database } from './open-database.js';

/**
 * How many batches of one queue (GroupCommitQueue) may run at once. SQLite: one, as the host has
 * one connection and each statement runs to its end before the next. PostgreSQL: up to `wanted`,
 * but at most half the pool, so that one busy queue always leaves the other half to reads.
 */
export function batchesInFlight(db: Database, poolSize: number, wanted = Infinity): number {
  return db.kind === 'postgres' ? Math.max(1, Math.min(wanted, Math.floor(poolSize / 2))) : 1;
}
