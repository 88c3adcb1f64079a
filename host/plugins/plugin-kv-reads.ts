import { GroupCommitQueue } from '../../sdk/plugin/group-commit-queue.js';
import { batchesInFlight } from '../db/batches-in-flight.js';
import type { Database } from '../db/open-database.js';
import { prepared } from '../db/statement-name.js';

/** A row of plugin_kv: one key of one plugin's store. */
export interface KvRow {
  plugin_id: string;
  key: string;
  value: string;
  bytes: number;
  version: number;
  expires_at: number | null;
  updated_at: number;
}

/** Keys one statement fetches (two parameters each, far below either database's limit). */
const READ_BATCH = 500;

interface KeyRef {
  pluginId: string;
  key: string;
}

/**
 * Reads of plugins' keys. Gets asked while a read runs share the next statement: under load
 * (every app's event reading its state, on PostgreSQL a round trip each) a few statements serve
 * hundreds of gets, and a key many ask for is fetched once. A get asked after a write finished
 * goes into a later statement than any running then, so it sees that write.
 */
export class PluginKvReads {
  private readonly queue: GroupCommitQueue<KeyRef, KvRow | undefined>;

  constructor(
    private readonly db: Database,
    poolSize: number,
  ) {
    this.queue = new GroupCommitQueue({
      commit: (refs) => this.readMany(refs),
      maxBatch: READ_BATCH,
      maxInFlight: batchesInFlight(db, poolSize),
    });
  }

  /** The stored row, expired or not; undefined when there is none. */
  get(pluginId: string, key: string): Promise<KvRow | undefined> {
    return this.queue.push({ pluginId, key });
  }

  private async readMany(refs: KeyRef[]): Promise<{ ok: true; value: KvRow | undefined }[]> {
    const wanted = [...new Map(refs.map((r) => [refKey(r.pluginId, r.key), r])).values()];
    const query = this.db.knex<KvRow>('plugin_kv').select<KvRow[]>('*');
    // On PostgreSQL the pairs go as two arrays, so the text is one whatever their number, and is
    // prepared once per connection: a pair list was parsed and planned at every read.
    const rows =
      this.db.kind === 'postgres'
        ? await prepared(
            'kv-reads',
            query.whereRaw('(plugin_id, key) in (select * from unnest(?::text[], ?::text[]))', [
              wanted.map((r) => r.pluginId),
              wanted.map((r) => r.key),
            ]),
            'pairs',
          )
        : await query.whereIn(
            ['plugin_id', 'key'],
            wanted.map((r) => [r.pluginId, r.key]),
          );
    const found = new Map(rows.map((row) => [refKey(row.plugin_id, row.key), row]));
    return refs.map((r) => ({ ok: true, value: found.get(refKey(r.pluginId, r.key)) }));
  }
}

function refKey(pluginId: string, key: string): string {
  return `${pluginId}\u0000${key}`;
}
