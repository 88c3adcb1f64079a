/**
 * `all` cut into runs of at most `size`: one statement each, under the databases' bound-parameter
 * limits (SQLite's 32,766; PostgreSQL's 65,535) whatever the row width.
 */
export function batches<T>(all: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < all.length; i += size) out.push(all.slice(i, i + size));
  return out;
}
