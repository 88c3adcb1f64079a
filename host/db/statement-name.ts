import { createHash } from 'node:crypto';

/**
 * The name a PostgreSQL statement is prepared under, from its text: each pooled connection then
 * parses and plans it once (one generic plan, open-database.ts), where an unnamed statement is
 * planned at every run. The name changes with the text, so two texts never share one.
 */
export function statementName(prefix: string, sql: string): string {
  return `switchboard_${prefix}_${createHash('sha256').update(sql).digest('hex').slice(0, 12)}`;
}

/** A query prepared under its text's name (statementName). */
export function prepared<Q extends { toSQL(): { sql: string }; options(options: object): Q }>(
  prefix: string,
  query: Q,
): Q {
  return query.options({ name: statementName(prefix, query.toSQL().sql) });
}
