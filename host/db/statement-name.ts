import { createHash } from 'node:crypto';

/**
 * The name a PostgreSQL statement is prepared under, from its text: each pooled connection then
 * parses and plans it once (one generic plan, open-database.ts), where an unnamed statement is
 * planned at every run. The name changes with the text, so two texts never share one.
 */
export function statementName(prefix: string, sql: string): string {
  return `switchboard_${prefix}_${createHash('sha256').update(sql).digest('hex').slice(0, 12)}`;
}

/**
 * A query and its variant for prepared(), from the builder that shaped it: each branch that
 * changes the text marks the variant as it does, so the two cannot drift apart.
 */
export interface WithVariant<Q> {
  readonly query: Q;
  readonly variant: string;
}

/**
 * Variants' names, oldest first. Far more than the search statements' variants in use; past it, the
 * oldest is forgotten (and hashed again when it comes back), so odd variants cannot grow it.
 */
const names = new Map<string, string>();
const MAX_NAMES = 1024;

/**
 * A query prepared under its text's name (statementName).
 *
 * With a `variant`, the name is computed (the query compiled and hashed: 20 to 45 µs for the
 * search statements) the first time only, and kept under `prefix` and `variant`. The variant must
 * then name everything that changes the query's SQL text (which filters are given, the shape of a
 * CTE...), its values being bindings: the text of one variant must be identical every time. Two
 * texts under one name fail (node-postgres: "Prepared statements must be unique") or, through a
 * driver that does not compare them, run the other's plan. A caller that cannot promise it gives
 * no variant, and its text is hashed at every call.
 */
export function prepared<Q extends { toSQL(): { sql: string }; options(options: object): Q }>(
  prefix: string,
  query: Q,
  variant?: string,
): Q {
  if (variant === undefined) return query.options({ name: statementName(prefix, query.toSQL().sql) });
  const key = `${prefix}\n${variant}`;
  let name = names.get(key);
  if (name === undefined) {
    name = statementName(prefix, query.toSQL().sql);
    if (names.size >= MAX_NAMES) names.delete(names.keys().next().value!);
    names.set(key, name);
  }
  return query.options({ name });
}

/**
 * Names given to texts the host does not write itself (a plugin's write groups), at most
 * MAX_OPEN_TEXTS of them: each pooled connection keeps every statement it prepared until it
 * closes, and a plugin's texts are as many as its shapes. Past the cap a new text runs unnamed
 * (planned at each run, as before), and the ones named keep their names.
 */
const openTexts = new Set<string>();
const MAX_OPEN_TEXTS = 256;

export function cappedStatementName(prefix: string, sql: string): string | undefined {
  const name = statementName(prefix, sql);
  if (openTexts.has(name)) return name;
  if (openTexts.size >= MAX_OPEN_TEXTS) return undefined;
  openTexts.add(name);
  return name;
}
