import { SwitchboardError } from '../../sdk/errors/switchboard-error.js';
import type { Database } from '../db/open-database.js';
import type { KvRow } from './plugin-kv-reads.js';
import { checkWellFormed, MAX_KEY_LENGTH } from './plugin-kv-values.js';

const MAX_LIST = 1000;
const MAX_CODE_POINT = 0x10ffff;

export interface KvListing {
  entries: { key: string; value: unknown; version: number }[];
  hasMore: boolean;
}

/**
 * A plugin's live keys that start with `prefix`, in byte order, a page at a time. The prefix is a
 * range of the primary key (plugin_id, key), prefix ≤ key < prefixEnd(prefix), so a page reads
 * its rows and no others: a filter on substr(key, …) read every key of the plugin.
 */
export async function listKeys(
  db: Database,
  pluginId: string,
  prefix: string,
  opts: { after?: string; limit?: number },
  now: number,
): Promise<KvListing> {
  if (typeof prefix !== 'string' || prefix.length > MAX_KEY_LENGTH)
    throw new SwitchboardError('invalid_request', 'prefix must be a string of at most 512 characters.');
  checkWellFormed(prefix, 'Prefixes');
  const after = opts.after;
  if (after !== undefined && typeof after !== 'string')
    throw new SwitchboardError('invalid_request', 'after must be a key (a string), or left out.');
  if (after !== undefined) checkWellFormed(after, 'Keys to list after');
  const limit = opts.limit ?? 100;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIST)
    throw new SwitchboardError('invalid_request', `limit must be an integer from 1 to ${MAX_LIST}.`);
  // Byte order on both databases: UTF-8 bytes sort as code points, on PostgreSQL in collation "C"
  // (plugin_kv.key's own since migration 0029, so its index serves the range), on SQLite BINARY.
  const keyExpr = db.kind === 'postgres' ? 'key collate "C"' : 'key';
  const q = db
    .knex<KvRow>('plugin_kv')
    .where({ plugin_id: pluginId })
    .andWhere((w) => w.whereNull('expires_at').orWhere('expires_at', '>', now))
    .orderByRaw(keyExpr)
    .limit(limit + 1);
  // One lower bound, the higher: given two, SQLite may seek to the lower one and read up to the other.
  if (after !== undefined && byteOrder(after, prefix) >= 0) q.andWhereRaw(`${keyExpr} > ?`, [after]);
  else q.andWhereRaw(`${keyExpr} >= ?`, [prefix]);
  const end = prefixEnd(prefix);
  if (end !== null) q.andWhereRaw(`${keyExpr} < ?`, [end]);
  const rows = await q;
  return {
    entries: rows
      .slice(0, limit)
      .map((r) => ({ key: r.key, value: JSON.parse(r.value) as unknown, version: r.version })),
    hasMore: rows.length > limit,
  };
}

/**
 * The least string above every string that starts with `prefix`, in code point order; null when
 * none is (an empty prefix, or one of U+10FFFF alone). The last code point below U+10FFFF goes up
 * by one, after dropping any U+10FFFF that follow it; past U+D7FF comes U+E000, since no
 * well-formed key holds a surrogate and the bound must be storable text itself.
 */
export function prefixEnd(prefix: string): string | null {
  const points = [...prefix].map((c) => c.codePointAt(0)!);
  while (points.length > 0) {
    const last = points.pop()!;
    if (last < MAX_CODE_POINT) return String.fromCodePoint(...points, last === 0xd7ff ? 0xe000 : last + 1);
  }
  return null;
}

/** Compares as the databases do: by UTF-8 bytes, that is by code points (JS's < compares UTF-16 units). */
function byteOrder(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}
