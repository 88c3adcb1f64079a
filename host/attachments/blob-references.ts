import type { Knex } from 'knex';

/**
 * Every column that refers to a blob by hash. A blob none of them names is unreferenced and the
 * sweep deletes it; a part that keeps blobs elsewhere (avatars) adds its column here, and so shares
 * the one "is referenced" test with the attachments.
 */
export const BLOB_REFERENCES: readonly { table: string; column: string }[] = [
  { table: 'attachments', column: 'blob_hash' },
  { table: 'attachments', column: 'thumb_hash' },
  // Part A2: a user's avatar (migration 0008's avatars block).
  { table: 'users', column: 'avatar_hash' },
];

/** Adds `where not exists (…)` for every reference to `blobs.hash`. */
export function whereUnreferenced(q: Knex.QueryBuilder, knex: Knex | Knex.Transaction): Knex.QueryBuilder {
  for (const { table, column } of BLOB_REFERENCES) {
    void q.whereNotExists(
      knex(table)
        .select(knex.raw('1'))
        .whereRaw('?? = blobs.hash', [`${table}.${column}`]),
    );
  }
  return q;
}
