import { GroupCommitQueue } from '../../sdk/plugin/group-commit-queue.js';
import { batchesInFlight } from '../db/batches-in-flight.js';
import type { Database } from '../db/open-database.js';

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
    const wanted = new Map(refs.map((r) => [refKey(r.pluginId, r.key), [r.pluginId, r.key]]));
    const rows = await this.db
      .knex<KvRow>('plugin_kv')
      .whereIn(['plugin_id', 'key'], [...wanted.values()])
      .select<KvRow[]>('*');
    const found = new Map(rows.map((row) => [refKey(row.plugin_id, row.key), row]));
    return refs.map((r) => ({ ok: true, value: found.get(refKey(r.pluginId, r.key)) }));
  }
}

function refKey(pluginId: string, key: string): string {
  return `${pluginId}\u0000${key}`;
}
